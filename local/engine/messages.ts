/**
 * What crosses the boundary between the engine (main thread) and its worker threads. The worker's replies
 * are parsed with these schemas on arrival.
 */
import { z } from 'zod';

const AnalyseSettingsSchema = z.object({
  detectMaxSide: z.number().int().positive(),
  minFaceSize: z.number().int().positive(),
  passiveSignals: z.boolean(),
});
export type AnalyseSettings = z.infer<typeof AnalyseSettingsSchema>;

const BoxSchema = z.object({
  x: z.number(),
  y: z.number(),
  width: z.number(),
  height: z.number(),
});

const MsSchema = z.number().nonnegative();

const FaceAnalysisSchema = z.object({
  ok: z.literal(true),
  faces: z.number().int().positive(),
  box: BoxSchema,
  detectionScore: z.number(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  /**
   * 128-d face-api descriptor of the largest face: the mean of its crop's and of the mirrored crop's
   * (test-time flip), used for the match.
   */
  descriptor: z.array(z.number()).length(128),
  /** The face in a canonical pose (dlib-chip.ts), THUMB_SIZE x THUMB_SIZE greyscale, for replay detection. */
  thumb: z.array(z.number()),
  /** human's antispoof "real" score and liveness "live" score (0-1), when passive signals are on. */
  antispoof: z.number().optional(),
  liveness: z.number().optional(),
  decodeMs: MsSchema,
  detectMs: MsSchema,
});
export type FaceAnalysis = z.infer<typeof FaceAnalysisSchema>;

const FailedAnalysisSchema = z.object({
  ok: z.literal(false),
  reason: z.enum([
    'undecodable',
    'truncated',
    'no_face',
    'face_too_small',
    'face_blurred',
    'face_not_frontal',
  ]),
  message: z.string(),
  decodeMs: MsSchema,
  detectMs: MsSchema,
});
export type FailedAnalysis = z.infer<typeof FailedAnalysisSchema>;

const AnalysisSchema = z.discriminatedUnion('ok', [FaceAnalysisSchema, FailedAnalysisSchema]);
export type Analysis = z.infer<typeof AnalysisSchema>;

export type WorkerRequest =
  | { id: number; op: 'analyse'; bytes: Uint8Array; settings: AnalyseSettings }
  | { id: number; op: 'tensors' };

export const WorkerReplySchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('startup-failed'), message: z.string() }),
  z.object({ type: z.literal('analysis'), id: z.number(), analysis: AnalysisSchema }),
  z.object({ type: z.literal('tensors'), id: z.number(), numTensors: z.number().int().nonnegative() }),
  z.object({ type: z.literal('failed'), id: z.number(), message: z.string() }),
]);
export type WorkerReply = z.infer<typeof WorkerReplySchema>;

export const THUMB_SIZE = 64;
