import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromSquare } from '../../../local/engine/chip.ts';
import { dlibChipPoints, dlibChipSquare, faceThumb } from '../../../local/engine/dlib-chip.ts';
import { THUMB_SIZE } from '../../../local/engine/messages.ts';
import { testSeed } from '../../helpers/random.ts';

/** 68 landmarks of a face whose points 27-54 and 60-64 sit exactly on the given chip positions. */
function face(chip: { x: number; y: number }[], scale: number, angle: number, dx: number, dy: number) {
  return chip.map((p) => ({
    x: dx + scale * (p.x * Math.cos(angle) - p.y * Math.sin(angle)),
    y: dy + scale * (p.x * Math.sin(angle) + p.y * Math.cos(angle)),
  }));
}

describe('dlibChipSquare', () => {
  it("cuts a photo whose face is dlib's mean face, at the chip's size, as the chip itself", () => {
    const points = dlibChipPoints(150, 0.25).map((p) => p ?? { x: -1000, y: 1000 }); // the jaw is not used
    const square = dlibChipSquare(points, 150, 0.25);
    expect(square.centre.x).toBeCloseTo(75, 9);
    expect(square.centre.y).toBeCloseTo(75, 9);
    expect(square.side).toBeCloseTo(150, 9);
    expect(square.angle).toBeCloseTo(0, 9);
  });

  it('moves, turns and scales with the face', () => {
    const template = Array.from({ length: 68 }, (_, i) => ({ x: i, y: (i * 7) % 13 }));
    fc.assert(
      fc.property(
        fc.double({ min: 0.2, max: 5, noNaN: true }),
        fc.double({ min: -Math.PI, max: Math.PI, noNaN: true }),
        fc.double({ min: -500, max: 500, noNaN: true }),
        fc.double({ min: -500, max: 500, noNaN: true }),
        (scale, angle, dx, dy) => {
          const base = dlibChipSquare(template);
          const moved = dlibChipSquare(face(template, scale, angle, dx, dy));
          // Moving the face moves its chip the same way: every chip pixel lands on the moved photo point.
          for (const corner of [
            { x: 0, y: 0 },
            { x: 150, y: 0 },
            { x: 75, y: 120 },
          ]) {
            const before = fromSquare(base, 150, corner);
            const after = fromSquare(moved, 150, corner);
            const expected = face([before], scale, angle, dx, dy)[0]!;
            expect(after.x).toBeCloseTo(expected.x, 6);
            expect(after.y).toBeCloseTo(expected.y, 6);
          }
          expect(moved.side).toBeCloseTo(base.side * scale, 6);
        },
      ),
      { seed: testSeed(), numRuns: 200 },
    );
  });
});

describe('faceThumb', () => {
  /** A photo of smooth stripes (grey = f(x, y)) and its pixels shifted by (dx, dy). */
  function stripes(width: number, height: number, dx = 0, dy = 0) {
    const pixels = new Uint8Array(width * height * 3);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const v = Math.round(128 + 100 * Math.sin((x - dx) / 9) * Math.cos((y - dy) / 13));
        pixels.set([v, v, v], (y * width + x) * 3);
      }
    }
    return { pixels, width, height };
  }
  const landmarks = (dx: number, dy: number) =>
    dlibChipPoints(100, 0).map((p, i) => (p ? { x: p.x + 150 + dx, y: p.y + 150 + dy } : { x: i, y: i }));

  it('is a THUMB_SIZE square of grey levels', () => {
    const thumb = faceThumb(stripes(400, 400), landmarks(0, 0));
    expect(thumb).toHaveLength(THUMB_SIZE * THUMB_SIZE);
    for (const v of thumb) expect(v >= 0 && v <= 255).toBe(true);
    expect(Math.max(...thumb) - Math.min(...thumb)).toBeGreaterThan(100);
  });

  it('follows the face: the same face moved in the photo gives the same thumbnail', () => {
    const thumb = faceThumb(stripes(400, 400), landmarks(0, 0));
    for (const [dx, dy] of [
      [17, 0],
      [0, -23],
      [31, 12],
    ] as const) {
      const moved = faceThumb(stripes(400, 400, dx, dy), landmarks(dx, dy));
      const worst = Math.max(...moved.map((v, i) => Math.abs(v - thumb[i]!)));
      expect(worst).toBeLessThan(1e-6);
    }
  });
});
