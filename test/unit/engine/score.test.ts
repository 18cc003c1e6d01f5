import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLD } from '../../../local/engine/calibration.ts';
import { distanceForScore, euclideanDistance, scoreFromDistance } from '../../../local/engine/score.ts';

describe('scoreFromDistance', () => {
  it('gives about 100 for identical descriptors and about 0 for far apart ones', () => {
    expect(scoreFromDistance(0)).toBeGreaterThan(99);
    expect(scoreFromDistance(1.2)).toBeLessThan(1);
  });

  it('stays within 0-100 and never rises as the distance grows', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 4, noNaN: true }),
        fc.double({ min: 0, max: 4, noNaN: true }),
        (a, b) => {
          const [near, far] = a <= b ? [a, b] : [b, a];
          expect(scoreFromDistance(near)).toBeGreaterThanOrEqual(scoreFromDistance(far));
          expect(scoreFromDistance(far)).toBeGreaterThanOrEqual(0);
          expect(scoreFromDistance(near)).toBeLessThanOrEqual(100);
        },
      ),
    );
  });

  it('is inverted by distanceForScore', () => {
    fc.assert(
      fc.property(fc.double({ min: 1, max: 99, noNaN: true }), (score) => {
        expect(scoreFromDistance(distanceForScore(score))).toBeCloseTo(score, 1);
      }),
    );
  });

  it('puts the default threshold between typical same-person and different-people distances', () => {
    const thresholdDistance = distanceForScore(DEFAULT_THRESHOLD);
    expect(thresholdDistance).toBeGreaterThan(0.5);
    expect(thresholdDistance).toBeLessThan(0.7);
  });
});

describe('euclideanDistance', () => {
  it('is zero for the same descriptor and symmetric', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 128, maxLength: 128 }),
        fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 128, maxLength: 128 }),
        (a, b) => {
          expect(euclideanDistance(a, a)).toBe(0);
          expect(euclideanDistance(a, b)).toBeCloseTo(euclideanDistance(b, a), 12);
        },
      ),
    );
  });

  it('throws a RangeError when the lengths differ', () => {
    expect(() => euclideanDistance([1, 2], [1])).toThrow(RangeError);
  });
});
