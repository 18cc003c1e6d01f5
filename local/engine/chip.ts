/**
 * Rotated crops of a face, sampled straight from the decoded RGB pixels. Pure.
 *
 * `faceChip` is face-api's dlib-style crop (FaceLandmarks.alignDlib: a square of side eye-to-mouth / 0.45
 * centred on the mean of the eye and mouth centres, the centre at 50% across and 43% down) turned so that the
 * eye line is level, at the recognition net's input size. face-api's own crop is an upright box: a tilted
 * head reaches the net tilted, which dlib's network (of which face-api's is a port) never saw in training,
 * where every face is rotated upright first (dlib's get_face_chip).
 *
 * Each output pixel averages a grid of bilinear samples over its footprint (anti-aliased when the face is
 * larger than the output); outside the photo reads grey (128).
 */
import type { Point, RgbImage } from './thumb.ts';

/** A square region of the photo: its centre, side (photo pixels) and rotation (radians, photo frame). */
export interface RotatedSquare {
  centre: Point;
  /** Side length in photo pixels. */
  side: number;
  /** Angle of the square's x axis in the photo (atan2 of the eye line). */
  angle: number;
  /** Where the centre sits inside the square, 0-1 across and down (0.5, 0.5 = middle). */
  anchorX: number;
  anchorY: number;
}

const GREY = 128;

/** Bilinear sample at (x, y) in photo coordinates, where pixel i spans [i, i + 1) (its centre is i + 0.5). */
function sample(img: RgbImage, px: number, py: number, out: Float64Array): void {
  const { width, height, pixels } = img;
  if (px < 0 || py < 0 || px > width || py > height) {
    out[0] = GREY;
    out[1] = GREY;
    out[2] = GREY;
    return;
  }
  const cx = Math.min(width - 1, Math.max(0, px - 0.5));
  const cy = Math.min(height - 1, Math.max(0, py - 0.5));
  const x0 = Math.floor(cx);
  const y0 = Math.floor(cy);
  const x1 = Math.min(width - 1, x0 + 1);
  const y1 = Math.min(height - 1, y0 + 1);
  const fx = cx - x0;
  const fy = cy - y0;
  const a = (y0 * width + x0) * 3;
  const b = (y0 * width + x1) * 3;
  const c = (y1 * width + x0) * 3;
  const d = (y1 * width + x1) * 3;
  for (let k = 0; k < 3; k++) {
    const top = pixels[a + k]! * (1 - fx) + pixels[b + k]! * fx;
    const bottom = pixels[c + k]! * (1 - fx) + pixels[d + k]! * fx;
    out[k] = top * (1 - fy) + bottom * fy;
  }
}

/**
 * `size` x `size` RGB pixels of `square`, row-major (`mirror`: flipped left-right, as if the photo were
 * mirrored and the same face cropped).
 */
export function warpSquare(img: RgbImage, square: RotatedSquare, size: number, mirror = false): Uint8Array {
  const out = new Uint8Array(size * size * 3);
  const step = square.side / size;
  const cos = Math.cos(square.angle) * step;
  const sin = Math.sin(square.angle) * step;
  const grid = Math.max(1, Math.min(4, Math.ceil(step)));
  const rgb = new Float64Array(3);
  const originU = square.anchorX * size;
  const originV = square.anchorY * size;
  for (let v = 0; v < size; v++) {
    for (let u = 0; u < size; u++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let sv = 0; sv < grid; sv++) {
        for (let su = 0; su < grid; su++) {
          const tx = u + (su + 0.5) / grid - originU;
          const ty = v + (sv + 0.5) / grid - originV;
          sample(img, square.centre.x + tx * cos - ty * sin, square.centre.y + tx * sin + ty * cos, rgb);
          r += rgb[0]!;
          g += rgb[1]!;
          b += rgb[2]!;
        }
      }
      const n = grid * grid;
      const o = (v * size + (mirror ? size - 1 - u : u)) * 3;
      out[o] = Math.round(r / n);
      out[o + 1] = Math.round(g / n);
      out[o + 2] = Math.round(b / n);
    }
  }
  return out;
}

/** Maps a point of the `size`-pixel warped square back to photo coordinates. */
export function fromSquare(square: RotatedSquare, size: number, p: Point): Point {
  const step = square.side / size;
  const tx = (p.x - square.anchorX * size) * step;
  const ty = (p.y - square.anchorY * size) * step;
  const cos = Math.cos(square.angle);
  const sin = Math.sin(square.angle);
  return { x: square.centre.x + tx * cos - ty * sin, y: square.centre.y + tx * sin + ty * cos };
}

const mean = (points: readonly Point[]): Point => ({
  x: points.reduce((s, p) => s + p.x, 0) / points.length,
  y: points.reduce((s, p) => s + p.y, 0) / points.length,
});

/**
 * face-api's dlib-style square (eye and mouth centres of the 68 landmarks), levelled on the eye line:
 * points 36-41 and 42-47 are the eyes, 48-67 the mouth.
 */
export function dlibSquare(points: readonly Point[], level = true): RotatedSquare {
  const leftEye = mean(points.slice(36, 42));
  const rightEye = mean(points.slice(42, 48));
  const mouth = mean(points.slice(48, 68));
  const toMouth = (p: Point) => Math.hypot(mouth.x - p.x, mouth.y - p.y);
  const side = (toMouth(leftEye) + toMouth(rightEye)) / 2 / 0.45;
  const angle = level ? Math.atan2(rightEye.y - leftEye.y, rightEye.x - leftEye.x) : 0;
  return { centre: mean([leftEye, rightEye, mouth]), side, angle, anchorX: 0.5, anchorY: 0.43 };
}
