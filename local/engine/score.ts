/**
 * Descriptor distance -> calibrated 0-100 score: a logistic curve centred on SCORE_MIDPOINT_DISTANCE, so the
 * score falls monotonically as the distance grows (0 -> about 100, 1 -> about 0). Pure.
 */
import { SCORE_MIDPOINT_DISTANCE, SCORE_SLOPE } from './calibration.ts';

export function euclideanDistance(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new RangeError(`descriptor lengths differ: ${a.length} vs ${b.length}`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    sum += d * d;
  }
  return Math.sqrt(sum);
}

/** 0-100 with two decimals. */
export function scoreFromDistance(distance: number): number {
  const score = 100 / (1 + Math.exp((distance - SCORE_MIDPOINT_DISTANCE) / SCORE_SLOPE));
  return Math.round(score * 100) / 100;
}

/** The distance at which `scoreFromDistance` equals `score` (0 < score < 100). */
export function distanceForScore(score: number): number {
  return SCORE_MIDPOINT_DISTANCE + SCORE_SLOPE * Math.log(100 / score - 1);
}
