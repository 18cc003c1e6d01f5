/**
 * The contract of the offline face engine (local/engine). The emulator (local/emulator) depends only on this
 * file, so the engine can evolve behind it.
 */

export type PhotoRole = 'ref' | 'auth';

/** Why a photo could not be judged. These are outcomes, never thrown, and never a pass. */
export const UNJUDGEABLE_REASONS = [
  'empty', // zero bytes
  'not_an_image', // magic bytes of no supported format
  'undecodable', // looks like an image, decoder fails
  'truncated', // image data ends early
  'too_large', // dimensions or pixel count over the limit, rejected from the header before decoding
  'no_face', // decoded, but no face found
  'face_too_small', // the largest face is below the minimum size
  'face_blurred', // the largest face has too little fine detail to describe (quality.ts)
  'face_not_frontal', // the largest face is turned more than 30 degrees from frontal (quality.ts, pose.ts)
] as const;
export type UnjudgeableReason = (typeof UNJUDGEABLE_REASONS)[number];

export interface FaceBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PhotoReport {
  /** Faces found by the detector pass that found the largest one (the one compared); see detect.ts. */
  faces: number;
  /** Box of the compared face, in the coordinates of the (EXIF-oriented) input photo. */
  box: FaceBox;
  detectionScore: number;
  /** Dimensions of the EXIF-oriented input photo. */
  width: number;
  height: number;
}

export interface AttackSignal {
  name: 'replay' | 'antispoof' | 'liveness';
  fired: boolean;
  value: number;
  threshold: number;
}

export interface Timings {
  decodeMs: number;
  detectMs: number;
  compareMs: number;
  totalMs: number;
}

export interface Judged {
  outcome: 'judged';
  /** Calibrated similarity 0-100; higher is more similar. */
  score: number;
  /** score >= threshold */
  passed: boolean;
  threshold: number;
  /** Raw euclidean distance between the 128-d descriptors. */
  distance: number;
  faceAttack: boolean;
  attackSignals: AttackSignal[];
  ref: PhotoReport;
  auth: PhotoReport;
  timingsMs: Timings;
}

export interface Unjudged {
  outcome: 'unjudgeable';
  reason: UnjudgeableReason;
  photo: PhotoRole;
  /** Human-readable, never contains photo bytes. */
  message: string;
  timingsMs: Timings;
}

export type Comparison = Judged | Unjudged;

export interface FaceEngine {
  compare(ref: Buffer, auth: Buffer): Promise<Comparison>;
  close(): Promise<void>;
}
