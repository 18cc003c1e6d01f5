import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { QUALITY_MAX_YAW_OFFSET, QUALITY_MIN_SHARPNESS } from '../../../local/engine/calibration.ts';
import { THUMB_SIZE } from '../../../local/engine/messages.ts';
import { checkQuality, sharpness, yawPosition } from '../../../local/engine/quality.ts';
import type { Point } from '../../../local/engine/thumb.ts';
import { seededRandom, testSeed } from '../../helpers/random.ts';

const n = THUMB_SIZE;

/** A thumbnail with fine detail (periods of 9-10 px) over a smooth shading (period about 50 px), plus noise. */
function detailed(seed = testSeed()): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: n * n }, (_, i) => {
    const x = i % n;
    const y = Math.floor(i / n);
    return 128 + 30 * Math.sin(x / 1.5) * Math.cos(y / 1.6) + 60 * Math.sin(x / 8 + y / 9) + random() * 4;
  });
}

/** Box blur of radius r (what a defocused or motion-free soft photo does to the detail). */
function blurred(thumb: number[], r: number): number[] {
  const out = new Array<number>(n * n);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      let sum = 0;
      let count = 0;
      for (let dy = -r; dy <= r; dy++) {
        for (let dx = -r; dx <= r; dx++) {
          const yy = Math.min(n - 1, Math.max(0, y + dy));
          const xx = Math.min(n - 1, Math.max(0, x + dx));
          sum += thumb[yy * n + xx]!;
          count++;
        }
      }
      out[y * n + x] = sum / count;
    }
  }
  return out;
}

/** 68 landmarks with the jaw ends at x = 0 and x = 100 and the nose tip (point 30) at `noseX`. */
function landmarks(noseX: number, rollRad = 0): Point[] {
  const points: Point[] = Array.from({ length: 68 }, () => ({ x: 50, y: 50 }));
  points[0] = { x: 0, y: 50 };
  points[16] = { x: 100, y: 50 };
  points[30] = { x: noseX, y: 70 };
  const rotate = ({ x, y }: Point) => ({
    x: x * Math.cos(rollRad) - y * Math.sin(rollRad),
    y: x * Math.sin(rollRad) + y * Math.cos(rollRad),
  });
  return points.map(rotate);
}

describe('sharpness', () => {
  it('is 0 for a flat thumbnail and for one of the wrong size', () => {
    expect(sharpness(new Array(n * n).fill(128))).toBe(0);
    expect(sharpness([1, 2, 3])).toBe(0);
  });

  it('falls as the thumbnail is blurred more', () => {
    const sharpThumb = detailed();
    const values = [0, 1, 2, 5].map((r) => (r ? sharpness(blurred(sharpThumb, r)) : sharpness(sharpThumb)));
    for (let i = 1; i < values.length; i++) expect(values[i]).toBeLessThan(values[i - 1]!);
    expect(values[0]).toBeGreaterThan(QUALITY_MIN_SHARPNESS);
    expect(values.at(-1)).toBeLessThan(QUALITY_MIN_SHARPNESS);
  });

  it('ignores brightness and contrast', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.2, max: 3, noNaN: true }),
        fc.double({ min: -50, max: 50, noNaN: true }),
        (gain, offset) => {
          const thumb = detailed();
          expect(sharpness(thumb.map((v) => v * gain + offset))).toBeCloseTo(sharpness(thumb), 6);
        },
      ),
      { seed: testSeed(), numRuns: 50 },
    );
  });
});

describe('yawPosition', () => {
  it('reads 0.5 for a frontal face whatever its roll, and moves with the nose', () => {
    fc.assert(
      fc.property(fc.double({ min: -0.6, max: 0.6, noNaN: true }), (roll) => {
        expect(yawPosition(landmarks(50, roll))).toBeCloseTo(0.5, 6);
        expect(yawPosition(landmarks(20, roll))).toBeCloseTo(0.2, 6);
      }),
      { seed: testSeed(), numRuns: 50 },
    );
  });

  it('reads 0.5 when the landmarks are missing or degenerate', () => {
    expect(yawPosition([])).toBe(0.5);
    expect(yawPosition(Array.from({ length: 68 }, () => ({ x: 1, y: 1 })))).toBe(0.5);
  });
});

describe('checkQuality', () => {
  it('passes a sharp frontal face', () => {
    expect(checkQuality(detailed(), landmarks(50))).toBeUndefined();
  });

  it('refuses a blurred face as face_blurred, naming the measure and the limit', () => {
    const failure = checkQuality(blurred(detailed(), 5), landmarks(50));
    expect(failure?.reason).toBe('face_blurred');
    expect(failure?.message).toContain(`minimum ${QUALITY_MIN_SHARPNESS}`);
  });

  it('refuses a face turned towards a profile as face_not_frontal, on either side', () => {
    const limit = 0.5 - QUALITY_MAX_YAW_OFFSET;
    for (const noseX of [limit * 100 - 3, (1 - limit) * 100 + 3]) {
      const failure = checkQuality(detailed(), landmarks(noseX));
      expect(failure?.reason).toBe('face_not_frontal');
      expect(failure?.message).toMatch(/turned too far from frontal/);
    }
    expect(checkQuality(detailed(), landmarks(limit * 100 + 3))).toBeUndefined();
  });
});
