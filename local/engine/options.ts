/**
 * Options of the face engine. Defaults come from the calibration on faces-dev (see calibration.ts and the
 * docs/face-engine.md); callers normally pass nothing.
 */
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { DEFAULT_THRESHOLD } from './calibration.ts';

export const FaceEngineOptionsSchema = z.strictObject({
  /** Worker threads, each with its own tfjs + models. 2 lets the two photos of a pair run in parallel. */
  workers: z
    .number()
    .int()
    .min(1)
    .max(8)
    .default(() => Math.min(2, availableParallelism())),
  /** Pass threshold on the calibrated 0-100 score. */
  threshold: z.number().min(0).max(100).default(DEFAULT_THRESHOLD),
  /** Largest accepted width or height, read from the header before decoding. */
  maxDimension: z.number().int().positive().default(10_000),
  /** Largest accepted pixel count (width x height), read from the header before decoding. */
  maxPixels: z.number().int().positive().default(40_000_000),
  /** The largest face must be at least this many pixels wide, in the original photo. */
  minFaceSize: z.number().int().positive().default(32),
  /** Photos are downscaled so that their longer side is at most this before detection. */
  detectMaxSide: z.number().int().min(320).max(4096).default(1024),
  /** Run human's antispoof/liveness models as extra (weak, conservative) attack signals. */
  passiveSignals: z.boolean().default(true),
});

export type FaceEngineOptions = z.input<typeof FaceEngineOptionsSchema>;
export type ResolvedEngineOptions = z.output<typeof FaceEngineOptionsSchema>;
