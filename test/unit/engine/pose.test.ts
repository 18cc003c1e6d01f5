import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { headPose } from '../../../local/engine/pose.ts';
import { landmarks } from '../../helpers/landmarks.ts';

describe('headPose', () => {
  it('reads a frontal face as 0/0', () => {
    const pose = headPose(landmarks(0, 0));
    expect(pose.yaw).toBeCloseTo(0, 6);
    expect(pose.pitch).toBeCloseTo(0, 6);
  });

  it('recovers yaw and pitch at any roll, scale and position', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -70, max: 70, noNaN: true }),
        fc.double({ min: -60, max: 60, noNaN: true }),
        fc.double({ min: -180, max: 180, noNaN: true }),
        fc.double({ min: 0.05, max: 5, noNaN: true }),
        fc.record({
          x: fc.double({ min: -5000, max: 5000, noNaN: true }),
          y: fc.double({ min: -5000, max: 5000, noNaN: true }),
        }),
        (yaw, pitch, roll, scale, shift) => {
          const pose = headPose(landmarks(yaw, pitch, roll, scale, shift));
          expect(pose.yaw).toBeCloseTo(yaw, 3);
          expect(pose.pitch).toBeCloseTo(pitch, 3);
        },
      ),
    );
  });

  it('reads a mirrored face as the opposite yaw and the same pitch', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -70, max: 70, noNaN: true }),
        fc.double({ min: -60, max: 60, noNaN: true }),
        (yaw, pitch) => {
          const mirrored = landmarks(yaw, pitch).map((p) => ({ x: -p.x, y: p.y }));
          // A mirror swaps left and right: the landmark on the image's left is now the other eye/mouth corner.
          for (const [a, b] of [
            [36, 45],
            [48, 54],
          ] as const)
            [mirrored[a], mirrored[b]] = [mirrored[b]!, mirrored[a]!];
          const pose = headPose(mirrored);
          expect(pose.yaw).toBeCloseTo(-yaw, 3);
          expect(pose.pitch).toBeCloseTo(pitch, 3);
        },
      ),
    );
  });

  it('reads 0/0 when landmarks are missing, not numbers, all in one place or on one line', () => {
    expect(headPose([])).toEqual({ yaw: 0, pitch: 0 });
    const broken = landmarks(20, 10);
    broken[30] = { x: Number.NaN, y: 1 };
    expect(headPose(broken)).toEqual({ yaw: 0, pitch: 0 });
    expect(headPose(Array.from({ length: 68 }, () => ({ x: 5, y: 5 })))).toEqual({ yaw: 0, pitch: 0 });
    const collinear = Array.from({ length: 68 }, (_, i) => ({ x: 10 + 3 * i, y: 20 + 2 * i }));
    expect(headPose(collinear)).toEqual({ yaw: 0, pitch: 0 });
  });
});
