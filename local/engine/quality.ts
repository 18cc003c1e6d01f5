/**
 * Minimum-quality gate: a face the descriptor cannot describe reliably is refused with a reason instead of
 * being compared (a guess on such a face is what produces false matches and false rejections). Two checks,
 * both measured on what the analysis already has:
 * - sharpness of the canonical-pose thumbnail (thumb.ts): the spread of its Laplacian relative to the spread
 *   of its grey levels, so brightness and contrast cancel and only the loss of fine detail counts;
 * - yaw from the 68 landmarks: where the nose tip sits between the two ends of the jaw line (0.5 frontal,
 *   towards 0 or 1 as the head turns to a profile).
 * Limits are in calibration.ts. Pure.
 */
import { QUALITY_MAX_YAW_OFFSET, QUALITY_MIN_SHARPNESS } from './calibration.ts';
import { THUMB_SIZE } from './messages.ts';
import type { Point } from './thumb.ts';

/** Border of the thumbnail left out (background and hair, not the face). */
const MARGIN = 12;

/** Laplacian spread / grey-level spread over the centre of the thumbnail; 0 for a flat thumbnail. */
export function sharpness(thumb: readonly number[]): number {
  const n = THUMB_SIZE;
  if (thumb.length !== n * n) return 0;
  let sum = 0;
  let sumSq = 0;
  let lapSum = 0;
  let lapSq = 0;
  let count = 0;
  for (let y = MARGIN; y < n - MARGIN; y++) {
    for (let x = MARGIN; x < n - MARGIN; x++) {
      const v = thumb[y * n + x]!;
      const lap =
        thumb[(y - 1) * n + x]! +
        thumb[(y + 1) * n + x]! +
        thumb[y * n + x - 1]! +
        thumb[y * n + x + 1]! -
        4 * v;
      sum += v;
      sumSq += v * v;
      lapSum += lap;
      lapSq += lap * lap;
      count++;
    }
  }
  const variance = sumSq / count - (sum / count) ** 2;
  const lapVariance = lapSq / count - (lapSum / count) ** 2;
  return variance > 1e-6 ? Math.sqrt(Math.max(0, lapVariance) / variance) : 0;
}

/**
 * Where the nose tip (point 30) sits between the jaw's ends (points 0 and 16), 0-1, measured along the line
 * joining them (so a rolled head still reads 0.5 when frontal).
 */
export function yawPosition(points: readonly Point[]): number {
  const left = points[0];
  const right = points[16];
  const nose = points[30];
  if (!left || !right || !nose) return 0.5;
  const dx = right.x - left.x;
  const dy = right.y - left.y;
  const length2 = dx * dx + dy * dy;
  if (length2 === 0) return 0.5;
  return ((nose.x - left.x) * dx + (nose.y - left.y) * dy) / length2;
}

export type QualityFailure = { reason: 'face_blurred' | 'face_not_frontal'; message: string };

export function checkQuality(thumb: readonly number[], points: readonly Point[]): QualityFailure | undefined {
  const sharp = sharpness(thumb);
  if (sharp < QUALITY_MIN_SHARPNESS) {
    return {
      reason: 'face_blurred',
      message: `the face is too blurred to compare (sharpness ${sharp.toFixed(3)}, minimum ${QUALITY_MIN_SHARPNESS})`,
    };
  }
  const yaw = yawPosition(points);
  if (Math.abs(yaw - 0.5) > QUALITY_MAX_YAW_OFFSET) {
    return {
      reason: 'face_not_frontal',
      message: `the face is turned too far from frontal to compare (nose at ${Math.round(yaw * 100)}% of the jaw line, frontal is 50% and the limit ${Math.round((0.5 - QUALITY_MAX_YAW_OFFSET) * 100)}-${Math.round((0.5 + QUALITY_MAX_YAW_OFFSET) * 100)}%)`,
    };
  }
  return undefined;
}
