/**
 * Minimum-quality gate: a face the descriptor cannot describe reliably is refused with a reason instead of
 * being compared (a guess on such a face is what produces false matches and false rejections). Two checks,
 * both measured on what the analysis already has:
 * - sharpness of the canonical-pose thumbnail (thumb.ts): the spread of its Laplacian relative to the spread
 *   of its grey levels, so brightness and contrast cancel and only the loss of fine detail counts;
 * - yaw, the head's left-right turn, estimated from the 68 landmarks (pose.ts): beyond the limit the far half
 *   of the face is foreshortened or hidden, and the descriptor of a turned face drifts towards other people's.
 * Limits are in calibration.ts. Pure.
 */
import { QUALITY_MAX_YAW_DEGREES, QUALITY_MIN_SHARPNESS } from './calibration.ts';
import { THUMB_SIZE } from './messages.ts';
import { headPose } from './pose.ts';
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

export type QualityFailure = { reason: 'face_blurred' | 'face_not_frontal'; message: string };

export function checkQuality(thumb: readonly number[], points: readonly Point[]): QualityFailure | undefined {
  const sharp = sharpness(thumb);
  if (sharp < QUALITY_MIN_SHARPNESS) {
    return {
      reason: 'face_blurred',
      message: `the face is too blurred to compare (sharpness ${sharp.toFixed(3)}, minimum ${QUALITY_MIN_SHARPNESS})`,
    };
  }
  const { yaw } = headPose(points);
  if (Math.abs(yaw) > QUALITY_MAX_YAW_DEGREES) {
    const side = yaw > 0 ? "the image's right" : "the image's left";
    return {
      reason: 'face_not_frontal',
      message: `the face is turned too far from frontal to compare (about ${Math.abs(yaw).toFixed(1)} degrees towards ${side}, the limit is ${QUALITY_MAX_YAW_DEGREES}); ask for a photo looking straight at the camera`,
    };
  }
  return undefined;
}
