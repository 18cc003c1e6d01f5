import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dlibSquare, fromSquare, type RotatedSquare, warpSquare } from '../../../local/engine/chip.ts';
import type { Point, RgbImage } from '../../../local/engine/thumb.ts';

/** A 100x80 image whose red channel is x, green y and blue 7 everywhere. */
function ramp(): RgbImage {
  const width = 100;
  const height = 80;
  const pixels = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) pixels.set([x, y, 7], (y * width + x) * 3);
  return { pixels, width, height };
}

const at = (px: Uint8Array, size: number, u: number, v: number) =>
  Array.from(px.subarray((v * size + u) * 3, (v * size + u) * 3 + 3));

describe('warpSquare', () => {
  it('copies the pixels of an upright square at its own size', () => {
    const img = ramp();
    const square: RotatedSquare = {
      centre: { x: 30, y: 40 },
      side: 20,
      angle: 0,
      anchorX: 0.5,
      anchorY: 0.5,
    };
    const out = warpSquare(img, square, 20);
    // Output pixel (u, v) covers photo pixel (20 + u, 30 + v).
    expect(at(out, 20, 0, 0)).toEqual([20, 30, 7]);
    expect(at(out, 20, 19, 5)).toEqual([39, 35, 7]);
  });

  it('turns the square: at 90 degrees its x axis runs down the photo', () => {
    const img = ramp();
    const square: RotatedSquare = {
      centre: { x: 50, y: 40 },
      side: 20,
      angle: Math.PI / 2,
      anchorX: 0.5,
      anchorY: 0.5,
    };
    const out = warpSquare(img, square, 20);
    const [r0, g0] = at(out, 20, 0, 10);
    const [r1, g1] = at(out, 20, 19, 10);
    // Moving right in the output moves down in the photo; x stays put.
    expect(Math.abs(r1! - r0!)).toBeLessThanOrEqual(1);
    expect(g1! - g0!).toBe(19);
  });

  it('mirrors left-right when asked', () => {
    const img = ramp();
    const square: RotatedSquare = {
      centre: { x: 50, y: 40 },
      side: 30,
      angle: 0.3,
      anchorX: 0.5,
      anchorY: 0.43,
    };
    const plain = warpSquare(img, square, 30);
    const mirrored = warpSquare(img, square, 30, true);
    for (let v = 0; v < 30; v += 7)
      for (let u = 0; u < 30; u += 5) expect(at(mirrored, 30, 29 - u, v)).toEqual(at(plain, 30, u, v));
  });

  it('reads grey outside the photo and averages when it shrinks', () => {
    const img = ramp();
    const outside: RotatedSquare = {
      centre: { x: -50, y: -50 },
      side: 10,
      angle: 0,
      anchorX: 0.5,
      anchorY: 0.5,
    };
    expect(at(warpSquare(img, outside, 4), 4, 1, 1)).toEqual([128, 128, 128]);
    // A 40 px square into 10 px: each output pixel is the mean of a 4x4 block.
    const shrink: RotatedSquare = {
      centre: { x: 40, y: 40 },
      side: 40,
      angle: 0,
      anchorX: 0.5,
      anchorY: 0.5,
    };
    expect(at(warpSquare(img, shrink, 10), 10, 0, 0)).toEqual([22, 22, 7]);
  });
});

describe('fromSquare', () => {
  it('maps the centre of the output to the square centre and is consistent with warpSquare', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -Math.PI, max: Math.PI, noNaN: true }),
        fc.double({ min: 10, max: 60, noNaN: true }),
        (angle, side) => {
          const square: RotatedSquare = {
            centre: { x: 50, y: 40 },
            side,
            angle,
            anchorX: 0.5,
            anchorY: 0.43,
          };
          const centre = fromSquare(square, 150, { x: 75, y: 0.43 * 150 });
          expect(centre.x).toBeCloseTo(50, 6);
          expect(centre.y).toBeCloseTo(40, 6);
          // One output pixel to the right is side/150 photo pixels along the square's x axis.
          const right = fromSquare(square, 150, { x: 76, y: 0.43 * 150 });
          expect(right.x - centre.x).toBeCloseTo((Math.cos(angle) * side) / 150, 6);
          expect(right.y - centre.y).toBeCloseTo((Math.sin(angle) * side) / 150, 6);
        },
      ),
      { seed: 15, numRuns: 200 },
    );
  });
});

/** 68 points: eyes (36-47) around leftEye/rightEye, mouth (48-67) around mouth, the rest at the origin. */
function landmarks(leftEye: Point, rightEye: Point, mouth: Point): Point[] {
  const points: Point[] = Array.from({ length: 68 }, () => ({ x: 0, y: 0 }));
  for (let i = 36; i < 42; i++) points[i] = { x: leftEye.x + (i % 2 ? 1 : -1), y: leftEye.y };
  for (let i = 42; i < 48; i++) points[i] = { x: rightEye.x + (i % 2 ? 1 : -1), y: rightEye.y };
  for (let i = 48; i < 68; i++) points[i] = { x: mouth.x + (i % 2 ? 2 : -2), y: mouth.y };
  return points;
}

describe('dlibSquare', () => {
  it("has face-api's dlib geometry: side eye-to-mouth / 0.45, centred on the three centres", () => {
    const square = dlibSquare(landmarks({ x: 40, y: 50 }, { x: 80, y: 50 }, { x: 60, y: 95 }), true);
    const eyeToMouth = Math.hypot(20, 45);
    expect(square.side).toBeCloseTo(eyeToMouth / 0.45, 6);
    expect(square.centre.x).toBeCloseTo(60, 6);
    expect(square.centre.y).toBeCloseTo(65, 6);
    expect(square.angle).toBeCloseTo(0, 6);
    expect([square.anchorX, square.anchorY]).toEqual([0.5, 0.43]);
  });

  it('levels a tilted face on its eye line, and keeps it upright when not asked to', () => {
    const tilt = 0.4;
    const turn = (p: Point) => ({
      x: 60 + (p.x - 60) * Math.cos(tilt) - (p.y - 65) * Math.sin(tilt),
      y: 65 + (p.x - 60) * Math.sin(tilt) + (p.y - 65) * Math.cos(tilt),
    });
    const points = landmarks(turn({ x: 40, y: 50 }), turn({ x: 80, y: 50 }), turn({ x: 60, y: 95 }));
    expect(dlibSquare(points, true).angle).toBeCloseTo(tilt, 6);
    expect(dlibSquare(points, false).angle).toBe(0);
    expect(dlibSquare(points, true).side).toBeCloseTo(Math.hypot(20, 45) / 0.45, 6);
  });
});
