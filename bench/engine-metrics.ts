/**
 * Pure figures for the engine benchmark: error rates at a threshold and their confidence intervals, FNMR at a
 * fixed FMR, the equal error rate, the DET curve, identity folds, percentiles.
 */
import jstat from 'jstat';

export interface ScoredPair {
  label: 'same' | 'different';
  /** Calibrated score, or undefined when a photo could not be judged (counts as "not passed"). */
  score: number | undefined;
}

export interface Rates {
  accuracy: number;
  /** False match rate: share of different-people pairs that pass. */
  fmr: number;
  /** False non-match rate: share of same-person pairs that do not pass (unjudgeable included). */
  fnmr: number;
  falseMatches: number;
  impostorPairs: number;
  falseNonMatches: number;
  genuinePairs: number;
}

export function ratesAt(pairs: readonly ScoredPair[], threshold: number): Rates {
  let same = 0;
  let different = 0;
  let falseMatch = 0;
  let falseNonMatch = 0;
  for (const p of pairs) {
    const passed = p.score !== undefined && p.score >= threshold;
    if (p.label === 'same') {
      same++;
      if (!passed) falseNonMatch++;
    } else {
      different++;
      if (passed) falseMatch++;
    }
  }
  return {
    accuracy: pairs.length ? (pairs.length - falseMatch - falseNonMatch) / pairs.length : 0,
    fmr: different ? falseMatch / different : 0,
    fnmr: same ? falseNonMatch / same : 0,
    falseMatches: falseMatch,
    impostorPairs: different,
    falseNonMatches: falseNonMatch,
    genuinePairs: same,
  };
}

export interface Interval {
  lower: number;
  upper: number;
}

/**
 * Exact (Clopper-Pearson) confidence interval of a rate seen as `events` in `trials`: the range of true rates
 * under which seeing that many or fewer (upper bound), or that many or more (lower bound), has probability at
 * least (1 - confidence) / 2. With no event in n trials the upper bound is 1 - ((1 - confidence) / 2)^(1/n),
 * about 3.7 / n at 95%: this two-sided interval's upper end reaches 0.001 at about 3,700 different-people
 * pairs and no false match (the one-sided bound of rateUpperBound, at about 3,000).
 */
export function binomialInterval(events: number, trials: number, confidence = 0.95): Interval {
  if (!Number.isInteger(events) || !Number.isInteger(trials) || events < 0 || trials < events)
    throw new RangeError(`need whole numbers 0 <= events <= trials, got ${events} of ${trials}`);
  if (!(confidence > 0 && confidence < 1))
    throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  if (trials === 0) return { lower: 0, upper: 1 };
  const tail = (1 - confidence) / 2;
  return {
    lower: events === 0 ? 0 : jstat.jStat.beta.inv(tail, events, trials - events + 1),
    upper: events === trials ? 1 : jstat.jStat.beta.inv(1 - tail, events + 1, trials - events),
  };
}

/**
 * One-sided exact upper confidence bound of a rate seen as `events` in `trials`: the true rate is at most this
 * with probability `confidence`. With no event it is 1 - (1 - confidence)^(1/n), about 3 / n at 95% (the rule
 * of three).
 */
export function rateUpperBound(events: number, trials: number, confidence = 0.95): number {
  return binomialInterval(events, trials, 2 * confidence - 1).upper;
}

/** `3/2324 (95% CI 0.00027-0.0038)`: a rate's count with its exact interval, for the benchmarks' output. */
export function countWithInterval(events: number, trials: number): string {
  const { lower, upper } = binomialInterval(events, trials);
  const show = (v: number) => (v === 0 || v === 1 ? String(v) : v.toPrecision(2));
  return `${events}/${trials}, 95% CI ${show(lower)}-${show(upper)}`;
}

/** Every threshold at which a rate changes: each observed score, plus one above the highest. */
function candidateThresholds(pairs: readonly ScoredPair[]): number[] {
  const scores = [...new Set(pairs.map((p) => p.score).filter((s): s is number => s !== undefined))];
  scores.sort((a, b) => a - b);
  return [...scores, (scores.at(-1) ?? 100) + 0.01];
}

/** Equal error rate: sweeps every observed score as a threshold and returns the point where FMR ~ FNMR. */
export function equalErrorRate(pairs: readonly ScoredPair[]): { eer: number; threshold: number } {
  const candidates = [0, ...candidateThresholds(pairs)];
  let best = { eer: 1, threshold: 0, gap: Number.POSITIVE_INFINITY };
  for (const t of candidates) {
    const { fmr, fnmr } = ratesAt(pairs, t);
    const gap = Math.abs(fmr - fnmr);
    if (gap < best.gap) best = { eer: (fmr + fnmr) / 2, threshold: t, gap };
  }
  return { eer: best.eer, threshold: best.threshold };
}

/**
 * How a threshold is fitted for a target FMR:
 * - `measured`: the lowest threshold whose measured FMR is at most the target (about as many pairs above it
 *   as the target allows, so a new set of people sees about the target, half the time more);
 * - `bound95`: the lowest threshold at which the pairs show FMR <= target with 95% confidence (the one-sided
 *   exact upper bound of the measured FMR is at most the target). Fewer than about 3 / target different-people
 *   pairs cannot show it at all: then no false match is allowed.
 */
export type FitRule = 'measured' | 'bound95';

/** How many of `impostorPairs` different-people pairs may pass under `rule` for `targetFmr`. */
export function allowedFalseMatches(impostorPairs: number, targetFmr: number, rule: FitRule): number {
  if (rule === 'measured') return Math.floor(targetFmr * impostorPairs + 1e-9);
  let allowed = 0;
  while (allowed < impostorPairs && rateUpperBound(allowed + 1, impostorPairs) <= targetFmr) allowed++;
  return allowed;
}

export interface FnmrAtFmr {
  /** The FMR asked for. */
  targetFmr: number;
  /** The lowest threshold that meets targetFmr under the fitting rule. */
  threshold: number;
  fmr: number;
  fnmr: number;
  /** Different-people pairs measured; below 1 / targetFmr the point is only "no false match seen". */
  impostorPairs: number;
  /**
   * Whether the pairs can resolve targetFmr under the rule: impostorPairs >= 1 / targetFmr (`measured`), or
   * no false match would show FMR <= targetFmr at 95% (`bound95`). Otherwise the point is only "no false
   * match seen".
   */
  resolved: boolean;
}

/**
 * FNMR at the lowest threshold that keeps the measured FMR at or below `targetFmr`: just above the score of
 * the first different-people pair that would break the target (scores have two decimals). The threshold
 * depends on the different-people scores only.
 */
export function fnmrAtFmr(
  pairs: readonly ScoredPair[],
  targetFmr: number,
  rule: FitRule = 'measured',
): FnmrAtFmr {
  const impostorPairs = pairs.filter((p) => p.label === 'different').length;
  const impostorScores = pairs
    .filter((p) => p.label === 'different' && p.score !== undefined)
    .map((p) => p.score!)
    .sort((a, b) => b - a);
  const allowed = allowedFalseMatches(impostorPairs, targetFmr, rule);
  const threshold =
    allowed < impostorScores.length ? Math.round((impostorScores[allowed]! + 0.01) * 100) / 100 : 0;
  const { fmr, fnmr } = ratesAt(pairs, threshold);
  const resolved =
    rule === 'measured'
      ? impostorPairs * targetFmr >= 1
      : impostorPairs > 0 && rateUpperBound(0, impostorPairs) <= targetFmr;
  return { targetFmr, threshold, fmr, fnmr, impostorPairs, resolved };
}

export interface DetPoint {
  threshold: number;
  fmr: number;
  fnmr: number;
}

/** The DET curve: (FMR, FNMR) at every threshold where either changes, FMR falling. */
export function detCurve(pairs: readonly ScoredPair[]): DetPoint[] {
  return [0, ...candidateThresholds(pairs)].map((threshold) => ({ threshold, ...ratesAt(pairs, threshold) }));
}

/**
 * Identities from the pairs alone: photos joined by a "same" pair belong to one identity (connected
 * components), every other photo is an identity of its own.
 */
export function identitiesFromPairs(
  pairs: readonly { ref: string; auth: string; label: 'same' | 'different' }[],
): Map<string, string> {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let root = x;
    while (parent.get(root) !== root) root = parent.get(root)!;
    parent.set(x, root);
    return root;
  };
  for (const p of pairs) {
    for (const f of [p.ref, p.auth]) if (!parent.has(f)) parent.set(f, f);
  }
  for (const p of pairs) {
    if (p.label !== 'same') continue;
    const [a, b] = [find(p.ref), find(p.auth)].sort();
    if (a !== b) parent.set(b!, a!);
  }
  return new Map([...parent.keys()].map((f) => [f, find(f)]));
}

export interface FoldPair extends ScoredPair {
  /** Identities of the two photos. */
  identities: readonly [string, string];
  /** A kind of pair to count apart in the held-out rates (e.g. plain or ID-style), when pairs are pooled. */
  group?: string;
}

export interface HeldOutCounts {
  falseMatches: number;
  impostorPairs: number;
  falseNonMatches: number;
  genuinePairs: number;
}

export interface FoldResult {
  folds: number;
  /** Held-out rates pooled over every fold: each pair is judged by a threshold fitted without its people. */
  fmr: number;
  fnmr: number;
  falseMatches: number;
  impostorPairs: number;
  falseNonMatches: number;
  genuinePairs: number;
  /** The thresholds chosen, one per fold (their spread shows how stable the choice is). */
  thresholds: number[];
  /**
   * Folds whose calibration pairs are too few to resolve targetFmr (fewer than 1 / targetFmr different-people
   * pairs): no false match is allowed there, so the threshold sits just above the closest different-people
   * pair left, wherever that is.
   */
  unresolvedFolds: number;
  /** The held-out counts of each group of pairs (FoldPair.group), by group name. */
  groups: Map<string, HeldOutCounts>;
}

/**
 * Leave-one-identity-out: for each identity, a threshold is chosen on the pairs that do not involve it (the
 * lowest that meets targetFmr there under `rule`), then the pairs that involve it are judged with that threshold. Every
 * pair is judged once per identity it involves, so a different-people pair is judged twice, each time by a
 * threshold that never saw one of its two people.
 */
export function leaveOneIdentityOut(
  pairs: readonly FoldPair[],
  targetFmr: number,
  rule: FitRule = 'measured',
): FoldResult {
  const identities = [...new Set(pairs.flatMap((p) => p.identities))].sort();
  const result: FoldResult = {
    folds: 0,
    fmr: 0,
    fnmr: 0,
    falseMatches: 0,
    impostorPairs: 0,
    falseNonMatches: 0,
    genuinePairs: 0,
    thresholds: [],
    unresolvedFolds: 0,
    groups: new Map(),
  };
  for (const held of identities) {
    const heldOut = pairs.filter((p) => p.identities.includes(held));
    const calibration = pairs.filter((p) => !p.identities.includes(held));
    if (heldOut.length === 0 || !calibration.some((p) => p.label === 'different')) continue;
    const { threshold, resolved } = fnmrAtFmr(calibration, targetFmr, rule);
    result.folds++;
    if (!resolved) result.unresolvedFolds++;
    result.thresholds.push(threshold);
    for (const p of heldOut) {
      const passed = p.score !== undefined && p.score >= threshold;
      const counts = [result as HeldOutCounts];
      if (p.group !== undefined) {
        if (!result.groups.has(p.group))
          result.groups.set(p.group, {
            falseMatches: 0,
            impostorPairs: 0,
            falseNonMatches: 0,
            genuinePairs: 0,
          });
        counts.push(result.groups.get(p.group)!);
      }
      for (const c of counts) {
        if (p.label === 'same') {
          c.genuinePairs++;
          if (!passed) c.falseNonMatches++;
        } else {
          c.impostorPairs++;
          if (passed) c.falseMatches++;
        }
      }
    }
  }
  result.fmr = result.impostorPairs ? result.falseMatches / result.impostorPairs : 0;
  result.fnmr = result.genuinePairs ? result.falseNonMatches / result.genuinePairs : 0;
  return result;
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export const round = (value: number, digits = 4) => Math.round(value * 10 ** digits) / 10 ** digits;
