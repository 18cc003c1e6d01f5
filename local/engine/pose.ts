/**
 * Head pose from the 68 landmarks, in degrees: six of them (nose tip, chin, outer eye corners, mouth corners)
 * are matched to a generic 3D face, the six-point model commonly used with OpenCV's solvePnP for head pose,
 * under a scaled orthographic camera (a face is shallow next to its distance from the lens). The least-squares
 * 2x3 projection gives the first two rows of the head's rotation; the face's forward direction follows.
 * A rough estimate: on faces-dev and face-api's demo faces a photo and its mirror image read within about 5
 * degrees of opposite yaws (8 at worst), enough to tell a face turned past 30 degrees from a frontal one.
 * Pure.
 */
import type { Point } from './thumb.ts';

/** Landmark indices (68-point scheme) and their positions on the generic face (x right, y up, z forward). */
const MODEL: readonly { index: number; at: readonly [number, number, number] }[] = [
  { index: 30, at: [0, 0, 0] }, // nose tip
  { index: 8, at: [0, -330, -65] }, // chin
  { index: 36, at: [-225, 170, -135] }, // outer corner of the eye on the image's left
  { index: 45, at: [225, 170, -135] }, // outer corner of the eye on the image's right
  { index: 48, at: [-150, -150, -125] }, // mouth corner, image left
  { index: 54, at: [150, -150, -125] }, // mouth corner, image right
];

const centroid = [0, 1, 2].map((k) => MODEL.reduce((s, m) => s + m.at[k]!, 0) / MODEL.length);
const centred = MODEL.map((m) => m.at.map((v, k) => v - centroid[k]!));

function inverse3(m: readonly (readonly number[])[]): number[][] {
  const [a, b, c] = m[0]!;
  const [d, e, f] = m[1]!;
  const [g, h, i] = m[2]!;
  const co = [
    [e! * i! - f! * h!, c! * h! - b! * i!, b! * f! - c! * e!],
    [f! * g! - d! * i!, a! * i! - c! * g!, c! * d! - a! * f!],
    [d! * h! - e! * g!, b! * g! - a! * h!, a! * e! - b! * d!],
  ];
  const det = a! * co[0]![0]! + b! * co[1]![0]! + c! * co[2]![0]!;
  return co.map((row) => row.map((v) => v / det));
}

/** (X Xᵀ)⁻¹ of the centred model: fixed, so computed once. */
const scatterInverse = inverse3(
  [0, 1, 2].map((r) => [0, 1, 2].map((c) => centred.reduce((s, p) => s + p[r]! * p[c]!, 0))),
);

const degrees = (radians: number) => (radians * 180) / Math.PI;
const clampedAsin = (v: number) => Math.asin(Math.max(-1, Math.min(1, v)));

export interface HeadPose {
  /** Left-right turn: 0 frontal, positive when the face points towards the image's right. */
  yaw: number;
  /** Up-down: positive when the face points up. */
  pitch: number;
}

/**
 * What landmarks that fit no head (missing, not numbers, all on one line) read as. The landmark net never
 * gives such points for a face it found; if it did, the quality gate would not refuse a face for a turn it
 * could not measure.
 */
const UNKNOWN: HeadPose = { yaw: 0, pitch: 0 };

/** The head's yaw and pitch in degrees (UNKNOWN, 0/0, when the landmarks fit no head). */
export function headPose(points: readonly Point[]): HeadPose {
  const image = MODEL.map((m) => points[m.index]);
  if (image.some((p) => !p || !Number.isFinite(p.x) || !Number.isFinite(p.y))) return UNKNOWN;
  // Image y grows downwards; the model's grows upwards.
  const xy = image.map((p) => [p!.x, -p!.y]);
  const mean = [0, 1].map((k) => xy.reduce((s, p) => s + p[k]!, 0) / xy.length);
  // M = x Xᵀ (X Xᵀ)⁻¹: the 2x3 scaled projection that best maps the model onto the landmarks.
  const rows = [0, 1].map((r) => {
    const xXt = [0, 1, 2].map((c) => centred.reduce((s, p, j) => s + (xy[j]![r]! - mean[r]!) * p[c]!, 0));
    return [0, 1, 2].map((c) => xXt.reduce((s, v, k) => s + v * scatterInverse[k]![c]!, 0));
  });
  const r1 = unit(rows[0]!);
  const along = rows[1]!.reduce((s, v, k) => s + v * r1[k]!, 0);
  const across = rows[1]!.map((v, k) => v - along * r1[k]!);
  // Landmarks on one line (or one point) fit no head: the second row has nothing across the first.
  if (!(Math.hypot(...across) > 1e-6 * Math.hypot(...rows[1]!)) || !r1.every(Number.isFinite)) return UNKNOWN;
  const r2 = unit(across);
  // The head's own x axis in the image gives its roll; the forward axis (model z), turned back by that roll,
  // gives yaw and pitch about the head's own axes, so a tilted head reads the same as an upright one.
  const roll = Math.atan2(r2[0]!, r1[0]!);
  const forwardX = r1[2]! * Math.cos(roll) + r2[2]! * Math.sin(roll);
  const forwardY = -r1[2]! * Math.sin(roll) + r2[2]! * Math.cos(roll);
  const forwardZ = Math.sqrt(Math.max(0, 1 - r1[2]! ** 2 - r2[2]! ** 2));
  return { yaw: degrees(Math.atan2(forwardX, forwardZ)), pitch: degrees(clampedAsin(forwardY)) };
}

function unit(v: readonly number[]): number[] {
  const length = Math.hypot(...v);
  return v.map((x) => x / length);
}
