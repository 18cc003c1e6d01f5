import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { QUALITY_MAX_YAW_DEGREES, QUALITY_MIN_SHARPNESS } from '../../../local/engine/calibration.ts';
import { THUMB_SIZE } from '../../../local/engine/messages.ts';
import { checkQuality, sharpness } from '../../../local/engine/quality.ts';
import { landmarks } from '../../helpers/landmarks.ts';
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

describe('checkQuality', () => {
  it('passes a sharp frontal face', () => {
    expect(checkQuality(detailed(), landmarks(0, 0))).toBeUndefined();
  });

  it('refuses a blurred face as face_blurred, naming the measure and the limit', () => {
    const failure = checkQuality(blurred(detailed(), 5), landmarks(0, 0));
    expect(failure?.reason).toBe('face_blurred');
    expect(failure?.message).toContain(`minimum ${QUALITY_MIN_SHARPNESS}`);
  });

  it('refuses a face turned beyond the yaw limit as face_not_frontal, on either side, at any roll', () => {
    fc.assert(
      fc.property(fc.double({ min: -60, max: 60, noNaN: true }), (roll) => {
        for (const yaw of [QUALITY_MAX_YAW_DEGREES + 3, -QUALITY_MAX_YAW_DEGREES - 3]) {
          const failure = checkQuality(detailed(), landmarks(yaw, 0, roll));
          expect(failure?.reason).toBe('face_not_frontal');
          expect(failure?.message).toContain(
            `about ${Math.abs(yaw).toFixed(1)} degrees towards the image's ${yaw > 0 ? 'right' : 'left'}, the limit is ${QUALITY_MAX_YAW_DEGREES}`,
          );
        }
        expect(checkQuality(detailed(), landmarks(QUALITY_MAX_YAW_DEGREES - 3, 20, roll))).toBeUndefined();
      }),
      { numRuns: 30 },
    );
  });
});
