/**
 * A small greyscale thumbnail of a face in a canonical pose, for the quality gate's sharpness (quality.ts):
 * the eye centres (from the first 68 landmarks) are mapped to fixed points, so crops, resizes and small
 * rotations of one photo give the same thumbnail, and a mirrored photo gives its mirror image. Each output pixel averages SUPERSAMPLE^2 bilinear samples over its
 * footprint, which keeps JPEG noise and resize aliasing out of the comparison. Pure.
 */
import { THUMB_SIZE } from './messages.ts';

export interface Point {
  x: number;
  y: number;
}

export interface RgbImage {
  pixels: Uint8Array;
  width: number;
  height: number;
}

/** Eyes land at (EYE_X, EYE_Y) and (1 - EYE_X, EYE_Y) of the thumbnail. */
const EYE_X = 0.3;
const EYE_Y = 0.38;
const SUPERSAMPLE = 3;

/** Mean of the three channels at pixel index `i` (pixel count, not byte offset). */
function luma(pixels: Uint8Array, i: number): number {
  const o = i * 3;
  return (pixels[o]! + pixels[o + 1]! + pixels[o + 2]!) / 3;
}

/** Bilinear sample of the grey level at (x, y), clamped to the image. */
function grey(img: RgbImage, x: number, y: number): number {
  const cx = Math.min(img.width - 1, Math.max(0, x));
  const cy = Math.min(img.height - 1, Math.max(0, y));
  const x0 = Math.floor(cx);
  const y0 = Math.floor(cy);
  const x1 = Math.min(img.width - 1, x0 + 1);
  const y1 = Math.min(img.height - 1, y0 + 1);
  const fx = cx - x0;
  const fy = cy - y0;
  const { pixels, width } = img;
  const top = luma(pixels, y0 * width + x0) * (1 - fx) + luma(pixels, y0 * width + x1) * fx;
  const bottom = luma(pixels, y1 * width + x0) * (1 - fx) + luma(pixels, y1 * width + x1) * fx;
  return top * (1 - fy) + bottom * fy;
}

export function alignedThumb(img: RgbImage, leftEye: Point, rightEye: Point): number[] {
  const eyeDx = rightEye.x - leftEye.x;
  const eyeDy = rightEye.y - leftEye.y;
  // Image pixels per thumbnail pixel, and the eye line's direction.
  const step = Math.hypot(eyeDx, eyeDy) / ((1 - 2 * EYE_X) * THUMB_SIZE) || 1;
  const cos = (eyeDx / Math.hypot(eyeDx, eyeDy)) * step || step;
  const sin = (eyeDy / Math.hypot(eyeDx, eyeDy)) * step || 0;
  const midX = (leftEye.x + rightEye.x) / 2;
  const midY = (leftEye.y + rightEye.y) / 2;
  const out = new Array<number>(THUMB_SIZE * THUMB_SIZE);
  for (let v = 0; v < THUMB_SIZE; v++) {
    for (let u = 0; u < THUMB_SIZE; u++) {
      let sum = 0;
      for (let sv = 0; sv < SUPERSAMPLE; sv++) {
        for (let su = 0; su < SUPERSAMPLE; su++) {
          const tx = u + (su + 0.5) / SUPERSAMPLE - THUMB_SIZE / 2;
          const ty = v + (sv + 0.5) / SUPERSAMPLE - EYE_Y * THUMB_SIZE;
          sum += grey(img, midX + tx * cos - ty * sin, midY + tx * sin + ty * cos);
        }
      }
      out[v * THUMB_SIZE + u] = sum / (SUPERSAMPLE * SUPERSAMPLE);
    }
  }
  return out;
}
