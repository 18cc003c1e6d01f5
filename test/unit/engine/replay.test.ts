import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REPLAY_MIN_VALUE } from '../../../local/engine/calibration.ts';
import { THUMB_SIZE } from '../../../local/engine/messages.ts';
import { detailSimilarity, replaySignal } from '../../../local/engine/replay.ts';

const N = THUMB_SIZE;

function pattern(seed: number): number[] {
  // A smooth random-looking texture, deterministic per seed.
  return Array.from({ length: N * N }, (_, i) => {
    const x = i % N;
    const y = Math.floor(i / N);
    return (
      128 + 60 * Math.sin(x * 0.7 + seed) * Math.cos(y * 0.45 + seed * 1.7) + 30 * Math.sin((x + y) * seed)
    );
  });
}

const mirror = (t: number[]) => t.map((_, i) => t[Math.floor(i / N) * N + (N - 1 - (i % N))]!);
const shift = (t: number[], dx: number) =>
  t.map((_, i) => t[Math.floor(i / N) * N + Math.min(N - 1, Math.max(0, (i % N) - dx))]!);

describe('detailSimilarity', () => {
  it('is 1 for the same thumbnail, its mirror image and a brightness/contrast change of it', () => {
    const t = pattern(1.3);
    expect(detailSimilarity(t, t)).toBeCloseTo(1, 6);
    expect(detailSimilarity(t, mirror(t))).toBeCloseTo(1, 6);
    expect(
      detailSimilarity(
        t,
        t.map((v) => v * 0.8 + 20),
      ),
    ).toBeCloseTo(1, 6);
  });

  it('tolerates a shift of a pixel or two (landmark jitter)', () => {
    const t = pattern(2.1);
    expect(detailSimilarity(t, shift(t, 2))).toBeGreaterThan(0.99);
  });

  it('is low for unrelated thumbnails', () => {
    expect(detailSimilarity(pattern(0.9), pattern(3.7))).toBeLessThan(0.5);
  });

  it('is 0 when a thumbnail has the wrong size, and stays within -1..1 for any input', () => {
    expect(detailSimilarity([1, 2, 3], pattern(1))).toBe(0);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 255 }), { minLength: N * N, maxLength: N * N }), (t) => {
        const s = detailSimilarity(pattern(1.1), t);
        expect(s).toBeGreaterThanOrEqual(-1.000001);
        expect(s).toBeLessThanOrEqual(1.000001);
      }),
      { numRuns: 20 },
    );
  });
});

describe('replaySignal', () => {
  it('fires when the detail similarity minus the distance reaches the threshold', () => {
    expect(replaySignal(0.1, 0.95)).toEqual({
      name: 'replay',
      fired: true,
      value: 0.85,
      threshold: REPLAY_MIN_VALUE,
    });
  });

  it('does not fire for a different photo of the same person (close descriptors, different detail)', () => {
    expect(replaySignal(0.35, 0.6).fired).toBe(false);
  });

  it('does not fire for different people even with similar detail', () => {
    expect(replaySignal(0.8, 0.9).fired).toBe(false);
  });
});
