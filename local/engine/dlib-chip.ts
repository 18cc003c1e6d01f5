/**
 * dlib's own face chip: the similarity transform that puts landmarks 27-54 and 60-64 (nose, eyes, upper lip;
 * eyebrows, jaw and lower lip are left out) closest, in least squares, to dlib's mean face, with `padding` of
 * the face's size around it. This is `get_face_chip_details(shape, 150, 0.25)` of
 * dlib/image_transforms/interpolation.h, the crop dlib's dnn_face_recognition_ex feeds the network of which
 * face-api's recognition net is a port. Fitted to 33 landmarks at once, it places a face more steadily than
 * two eye centres do; dlib's mean face is symmetric, so a mirrored photo gets the mirror image of the chip.
 *
 * The engine uses it for the replay thumbnail (`faceThumb`); for the descriptor, face-api's levelled
 * eye-and-mouth square (chip.ts) separates people better (docs/benchmarks.md). Pure.
 */
import { type RotatedSquare, warpSquare } from './chip.ts';
import { THUMB_SIZE } from './messages.ts';
import type { Point, RgbImage } from './thumb.ts';

/** dlib's mean face: landmarks 17-67 in a unit square (interpolation.h, mean_face_shape_x / _y). */
const MEAN_X = [
  0.000213256, 0.0752622, 0.18113, 0.29077, 0.393397, 0.586856, 0.689483, 0.799124, 0.904991, 0.98004,
  0.490127, 0.490127, 0.490127, 0.490127, 0.36688, 0.426036, 0.490127, 0.554217, 0.613373, 0.121737, 0.187122,
  0.265825, 0.334606, 0.260918, 0.182743, 0.645647, 0.714428, 0.793132, 0.858516, 0.79751, 0.719335, 0.254149,
  0.340985, 0.428858, 0.490127, 0.551395, 0.639268, 0.726104, 0.642159, 0.556721, 0.490127, 0.423532,
  0.338094, 0.290379, 0.428096, 0.490127, 0.552157, 0.689874, 0.553364, 0.490127, 0.42689,
];
const MEAN_Y = [
  0.106454, 0.038915, 0.0187482, 0.0344891, 0.0773906, 0.0773906, 0.0344891, 0.0187482, 0.038915, 0.106454,
  0.203352, 0.307009, 0.409805, 0.515625, 0.587326, 0.609345, 0.628106, 0.609345, 0.587326, 0.216423,
  0.178758, 0.179852, 0.231733, 0.245099, 0.244077, 0.231733, 0.179852, 0.178758, 0.216423, 0.244077,
  0.245099, 0.780233, 0.745405, 0.727388, 0.742578, 0.727388, 0.745405, 0.780233, 0.864805, 0.902192,
  0.909281, 0.902192, 0.864805, 0.784792, 0.778746, 0.785343, 0.778746, 0.784792, 0.824182, 0.831803,
  0.824182,
];

/** The landmarks dlib fits: 27-54 and 60-64. */
const USED = [...Array.from({ length: 28 }, (_, i) => 27 + i), 60, 61, 62, 63, 64];

/** Where dlib's chip puts landmarks 0-67 (the jaw, 0-16, is not part of dlib's mean face: undefined). */
export function dlibChipPoints(size = 150, padding = 0.25): (Point | undefined)[] {
  return Array.from({ length: 68 }, (_, i) =>
    i < 17
      ? undefined
      : {
          x: ((padding + MEAN_X[i - 17]!) / (2 * padding + 1)) * size,
          y: ((padding + MEAN_Y[i - 17]!) / (2 * padding + 1)) * size,
        },
  );
}

export function dlibChipSquare(points: readonly Point[], size = 150, padding = 0.25): RotatedSquare {
  const mean = dlibChipPoints(size, padding);
  const chip = USED.map((i) => mean[i]!);
  const photo = USED.map((i) => points[i]!);
  const centroid = (ps: readonly Point[]) => ({
    x: ps.reduce((s, p) => s + p.x, 0) / ps.length,
    y: ps.reduce((s, p) => s + p.y, 0) / ps.length,
  });
  const c0 = centroid(chip);
  const p0 = centroid(photo);
  // Least-squares similarity chip -> photo: photo = s R chip + t, with (a, b) = s (cos, sin).
  let dot = 0;
  let cross = 0;
  let norm = 0;
  for (const [k, c] of chip.entries()) {
    const cx = c.x - c0.x;
    const cy = c.y - c0.y;
    const px = photo[k]!.x - p0.x;
    const py = photo[k]!.y - p0.y;
    dot += cx * px + cy * py;
    cross += cx * py - cy * px;
    norm += cx * cx + cy * cy;
  }
  const a = dot / norm;
  const b = cross / norm;
  const u = size / 2 - c0.x;
  const v = size / 2 - c0.y;
  return {
    centre: { x: p0.x + a * u - b * v, y: p0.y + b * u + a * v },
    side: Math.hypot(a, b) * size,
    angle: Math.atan2(b, a),
    anchorX: 0.5,
    anchorY: 0.5,
  };
}

/**
 * Padding of the replay thumbnail's chip: the face and about 0.4 of its size around it (hairline, ears,
 * jaw), where a re-used photo keeps every detail and another photo of the same person does not. On
 * faces-dev and face-api's demo faces the gap between genuine pairs and replays widened with the padding
 * (0.1: none; 0.25: 0.09; 0.4: 0.15; docs/benchmarks.md).
 */
const THUMB_PADDING = 0.4;

/**
 * THUMB_SIZE x THUMB_SIZE greyscale (mean of R, G, B) of the face's dlib chip with THUMB_PADDING, row-major:
 * the canonical-pose face that replay.ts compares.
 */
export function faceThumb(img: RgbImage, points: readonly Point[]): number[] {
  const rgb = warpSquare(img, dlibChipSquare(points, THUMB_SIZE, THUMB_PADDING), THUMB_SIZE);
  const out = new Array<number>(THUMB_SIZE * THUMB_SIZE);
  for (let i = 0; i < out.length; i++) out[i] = (rgb[i * 3]! + rgb[i * 3 + 1]! + rgb[i * 3 + 2]!) / 3;
  return out;
}
