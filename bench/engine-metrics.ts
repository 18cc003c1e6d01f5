/**
 * Pure figures for the engine benchmark: error rates at a threshold, the equal error rate, percentiles.
 */

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
  };
}

/** Equal error rate: sweeps every observed score as a threshold and returns the point where FMR ~ FNMR. */
export function equalErrorRate(pairs: readonly ScoredPair[]): { eer: number; threshold: number } {
  const candidates = [...new Set(pairs.map((p) => p.score).filter((s): s is number => s !== undefined))];
  candidates.push(0, 100.01);
  let best = { eer: 1, threshold: 0, gap: Number.POSITIVE_INFINITY };
  for (const t of candidates) {
    const { fmr, fnmr } = ratesAt(pairs, t);
    const gap = Math.abs(fmr - fnmr);
    if (gap < best.gap) best = { eer: (fmr + fnmr) / 2, threshold: t, gap };
  }
  return { eer: best.eer, threshold: best.threshold };
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export const round = (value: number, digits = 4) => Math.round(value * 10 ** digits) / 10 ** digits;
