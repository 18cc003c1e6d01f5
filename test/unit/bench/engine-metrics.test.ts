import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detSvg, probit } from '../../../bench/engine-det.ts';
import {
  allowedFalseMatches,
  binomialInterval,
  countWithInterval,
  detCurve,
  equalErrorRate,
  type FoldPair,
  fnmrAtFmr,
  identitiesFromPairs,
  leaveOneIdentityOut,
  ratesAt,
  rateUpperBound,
  type ScoredPair,
} from '../../../bench/engine-metrics.ts';
import { testSeed } from '../../helpers/random.ts';

const same = (score: number | undefined): ScoredPair => ({ label: 'same', score });
const different = (score: number | undefined): ScoredPair => ({ label: 'different', score });

const scoredPairs = fc.array(
  fc.record({
    label: fc.constantFrom('same' as const, 'different' as const),
    score: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }),
  }),
  { minLength: 1, maxLength: 60 },
);

describe('ratesAt', () => {
  it('counts unjudgeable same-person pairs as false non-matches and never as matches', () => {
    const rates = ratesAt([same(undefined), same(80), different(undefined), different(20)], 50);
    expect(rates).toEqual({
      accuracy: 0.75,
      fmr: 0,
      fnmr: 0.5,
      falseMatches: 0,
      impostorPairs: 2,
      falseNonMatches: 1,
      genuinePairs: 2,
    });
  });
});

describe('binomialInterval', () => {
  it('gives the textbook exact bounds', () => {
    // No event in n trials: the upper bound solves (1 - p)^n = 0.025.
    expect(binomialInterval(0, 1162).upper).toBeCloseTo(1 - 0.025 ** (1 / 1162), 8);
    expect(binomialInterval(0, 1162).lower).toBe(0);
    // Every trial an event: the lower bound solves p^n = 0.025.
    expect(binomialInterval(10, 10).lower).toBeCloseTo(0.025 ** (1 / 10), 8);
    expect(binomialInterval(10, 10).upper).toBe(1);
    // 1 in 2: Clopper-Pearson's (0.0126, 0.9874).
    expect(binomialInterval(1, 2).lower).toBeCloseTo(0.01258, 4);
    expect(binomialInterval(1, 2).upper).toBeCloseTo(0.98742, 4);
    expect(binomialInterval(0, 0)).toEqual({ lower: 0, upper: 1 });
  });

  it('holds the observed rate, stays in [0, 1] and widens with the confidence', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 5000 })
          .chain((n) => fc.tuple(fc.integer({ min: 0, max: n }), fc.constant(n))),
        ([k, n]) => {
          const narrow = binomialInterval(k, n, 0.9);
          const wide = binomialInterval(k, n, 0.99);
          expect(wide.lower).toBeGreaterThanOrEqual(0);
          expect(wide.upper).toBeLessThanOrEqual(1);
          expect(narrow.lower).toBeLessThanOrEqual(k / n + 1e-12);
          expect(narrow.upper).toBeGreaterThanOrEqual(k / n - 1e-12);
          expect(wide.lower).toBeLessThanOrEqual(narrow.lower + 1e-12);
          expect(wide.upper).toBeGreaterThanOrEqual(narrow.upper - 1e-12);
        },
      ),
      { seed: testSeed(), numRuns: 200 },
    );
  });

  it('refuses counts that cannot be a rate', () => {
    expect(() => binomialInterval(3, 2)).toThrow(/0 <= events <= trials/);
    expect(() => binomialInterval(-1, 2)).toThrow(RangeError);
    expect(() => binomialInterval(0.5, 2)).toThrow(RangeError);
    expect(() => binomialInterval(1, 2, 1)).toThrow(/confidence/);
  });

  it('prints a count with its interval', () => {
    expect(countWithInterval(3, 2324)).toBe('3/2324, 95% CI 0.00027-0.0038');
    expect(countWithInterval(0, 63)).toBe('0/63, 95% CI 0-0.057');
  });
});

describe('rateUpperBound and allowedFalseMatches', () => {
  it('gives the one-sided bound: the rule of three with no event', () => {
    // (1 - p)^n = 0.05 with no event: about 3 / n.
    expect(rateUpperBound(0, 3000)).toBeCloseTo(1 - 0.05 ** (1 / 3000), 10);
    expect(rateUpperBound(0, 3000)).toBeCloseTo(3 / 3000, 5);
    expect(rateUpperBound(1, 3000)).toBeGreaterThan(rateUpperBound(0, 3000));
  });

  it('allows only as many false matches as still show the target at 95%', () => {
    // About 3,000 pairs are needed to show FMR <= 0.001 with none; one false match needs about 4,750.
    expect(allowedFalseMatches(2900, 0.001, 'bound95')).toBe(0);
    expect(allowedFalseMatches(4800, 0.001, 'bound95')).toBe(1);
    expect(allowedFalseMatches(4800, 0.001, 'measured')).toBe(4);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20_000 }), fc.constantFrom(0.001, 0.01, 0.1), (n, target) => {
        const k = allowedFalseMatches(n, target, 'bound95');
        expect(k).toBeLessThanOrEqual(allowedFalseMatches(n, target, 'measured'));
        if (k > 0) expect(rateUpperBound(k, n)).toBeLessThanOrEqual(target);
        if (k < n) expect(rateUpperBound(k + 1, n)).toBeGreaterThan(target);
      }),
      { seed: testSeed(), numRuns: 100 },
    );
  });
});

describe('fnmrAtFmr', () => {
  it('picks the lowest threshold whose FMR stays at or below the target', () => {
    const pairs = [
      ...Array.from({ length: 10 }, (_, i) => different(10 + i)), // 10..19
      different(60),
      same(55),
      same(70),
      same(90),
    ];
    // 11 impostors: FMR 0.1 allows one false match (60), so the threshold lies just above the next one (19).
    expect(fnmrAtFmr(pairs, 0.1)).toMatchObject({ threshold: 19.01, fmr: 1 / 11, fnmr: 0, resolved: true });
    // FMR 0.001 is below what 11 impostors can measure: no false match at all, and it says so.
    expect(fnmrAtFmr(pairs, 0.001)).toMatchObject({ threshold: 60.01, fmr: 0, fnmr: 1 / 3, resolved: false });
  });

  it('always meets its target and gives the lowest FNMR among thresholds that do', () => {
    fc.assert(
      fc.property(scoredPairs, fc.constantFrom(0, 0.001, 0.05, 0.2), (pairs, target) => {
        const point = fnmrAtFmr(pairs, target);
        expect(point.fmr).toBeLessThanOrEqual(target);
        for (const t of [0, 25, 50, 75, 100, 101]) {
          const r = ratesAt(pairs, t);
          if (r.fmr <= target) expect(point.fnmr).toBeLessThanOrEqual(r.fnmr);
        }
      }),
      { seed: testSeed(), numRuns: 200 },
    );
  });
});

describe('detCurve and equalErrorRate', () => {
  it('runs from every judged impostor passing to none, with FNMR never falling as the threshold rises', () => {
    fc.assert(
      fc.property(scoredPairs, (pairs) => {
        const curve = detCurve(pairs);
        const impostors = pairs.filter((p) => p.label === 'different');
        const judged = impostors.filter((p) => p.score !== undefined).length;
        // At threshold 0 every judged impostor passes; an unjudgeable one never does.
        expect(curve[0]!.fmr).toBe(impostors.length ? judged / impostors.length : 0);
        expect(curve.at(-1)!.fmr).toBe(0);
        for (let i = 1; i < curve.length; i++) {
          expect(curve[i]!.fmr).toBeLessThanOrEqual(curve[i - 1]!.fmr);
          expect(curve[i]!.fnmr).toBeGreaterThanOrEqual(curve[i - 1]!.fnmr);
        }
      }),
      { seed: testSeed(), numRuns: 200 },
    );
  });

  it('finds an EER of 0 when the classes are separated', () => {
    expect(equalErrorRate([same(90), same(80), different(20), different(30)]).eer).toBe(0);
  });
});

describe('identitiesFromPairs', () => {
  it('joins photos linked by same-person pairs, transitively, and keeps the others apart', () => {
    const ids = identitiesFromPairs([
      { ref: 'a1', auth: 'a2', label: 'same' },
      { ref: 'a2', auth: 'a3', label: 'same' },
      { ref: 'a1', auth: 'b1', label: 'different' },
      { ref: 'c1', auth: 'b1', label: 'different' },
    ]);
    expect(ids.get('a1')).toBe(ids.get('a3'));
    expect(new Set([ids.get('a1'), ids.get('b1'), ids.get('c1')]).size).toBe(3);
  });
});

describe('leaveOneIdentityOut', () => {
  it('judges each pair with thresholds fitted without its people', () => {
    // Person x's impostor pairs score high: a threshold fitted on the others is too low for them.
    const pairs: FoldPair[] = [
      { label: 'same', score: 80, identities: ['a', 'a'] },
      { label: 'same', score: 85, identities: ['b', 'b'] },
      { label: 'different', score: 20, identities: ['a', 'b'] },
      { label: 'different', score: 70, identities: ['x', 'a'] },
      { label: 'different', score: 30, identities: ['x', 'b'] },
    ];
    const result = leaveOneIdentityOut(pairs, 0.001);
    expect(result.folds).toBe(3);
    // Fold a: fitted on x-b (30) -> 30.01: a-a passes, x-a (70) is a false match, a-b (20) is not. Fold b:
    // fitted on x-a (70) -> 70.01: b-b passes, a-b and x-b do not. Fold x: fitted on a-b (20) -> 20.01:
    // x-a (70) and x-b (30) are both false matches.
    expect(result).toMatchObject({ falseMatches: 3, impostorPairs: 6, falseNonMatches: 0, genuinePairs: 2 });
    expect(result.thresholds).toEqual([30.01, 70.01, 20.01]);
    // One or two different-people pairs per fold cannot resolve FMR 0.001.
    expect(result.unresolvedFolds).toBe(3);
  });

  it('counts a fold as resolved when its calibration pairs can show the target FMR', () => {
    const pairs: FoldPair[] = [
      { label: 'same', score: 80, identities: ['a', 'a'] },
      ...Array.from(
        { length: 10 },
        (_, i): FoldPair => ({ label: 'different', score: i, identities: ['b', `c${i}`] }),
      ),
      { label: 'different', score: 5, identities: ['a', 'b'] },
    ];
    // Leaving a out keeps 10 different-people pairs: enough for FMR 0.1, not for 0.01.
    const held = (target: number) => leaveOneIdentityOut(pairs, target);
    expect(held(0.1).folds - held(0.1).unresolvedFolds).toBeGreaterThan(0);
    expect(held(0.01).unresolvedFolds).toBe(held(0.01).folds);
  });

  it('fits more strictly under the 95% rule and counts each group of pairs apart', () => {
    // 40 different-people pairs of others at 0..39 and one of person x at 45; FMR 0.05 measured allows two
    // of the others' pairs above the threshold, the 95% rule none (40 pairs cannot show 0.05 with one).
    const pairs: FoldPair[] = [
      ...Array.from(
        { length: 40 },
        (_, i): FoldPair => ({
          label: 'different',
          score: i,
          identities: [`p${i}`, `q${i}`],
          group: 'plain',
        }),
      ),
      { label: 'different', score: 38.5, identities: ['x', 'y'], group: 'ID-style' },
      { label: 'same', score: 60, identities: ['x', 'x'], group: 'ID-style' },
    ];
    const measured = leaveOneIdentityOut(pairs, 0.05, 'measured');
    const bound = leaveOneIdentityOut(pairs, 0.05, 'bound95');
    // Held out x (or y): measured fits just above 37 (two of 40 allowed), so x-y (38.5) passes; the 95% rule
    // fits above 39 and it does not.
    expect(measured.groups.get('ID-style')).toMatchObject({
      falseMatches: 2,
      impostorPairs: 2,
      genuinePairs: 1,
    });
    expect(bound.groups.get('ID-style')).toMatchObject({
      falseMatches: 0,
      impostorPairs: 2,
      falseNonMatches: 0,
    });
    expect(bound.groups.get('plain')!.impostorPairs).toBe(80);
    expect(bound.falseMatches).toBeLessThanOrEqual(measured.falseMatches);
    expect(bound.unresolvedFolds).toBe(bound.folds);
  });

  it('shows the false match that a threshold fitted on everyone would hide', () => {
    const pairs: FoldPair[] = [
      { label: 'same', score: 90, identities: ['a', 'a'] },
      { label: 'different', score: 20, identities: ['a', 'b'] },
      { label: 'different', score: 60, identities: ['x', 'c'] },
      { label: 'different', score: 25, identities: ['b', 'c'] },
    ];
    const result = leaveOneIdentityOut(pairs, 0.001);
    // Holding out x leaves a threshold just above 25 (b-c), so x-c (60) passes in that fold.
    expect(result.falseMatches).toBeGreaterThan(0);
  });
});

describe('DET plot', () => {
  it('inverts the normal CDF at known points', () => {
    expect(probit(0.5)).toBeCloseTo(0, 6);
    expect(probit(0.975)).toBeCloseTo(1.959964, 4);
    expect(probit(0.001)).toBeCloseTo(-3.090232, 4);
  });

  it('writes a standalone SVG with the curve, the operating point and escaped text', () => {
    const points = detCurve([same(90), same(40), different(20), different(60)]);
    const svg = detSvg(
      [{ name: 'set <1>', points, operatingPoint: { fmr: 0.5, fnmr: 0.5, label: 't 50' } }],
      'DET',
      'c',
    );
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('<polyline');
    expect(svg).toContain('<circle');
    expect(svg).toContain('<title>DET</title>');
    expect(svg).toContain('set &lt;1&gt;');
    expect(svg.trim().endsWith('</svg>')).toBe(true);
  });
});
