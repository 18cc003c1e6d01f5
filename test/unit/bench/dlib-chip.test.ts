import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dlibChipPoints, dlibChipSquare } from '../../../bench/dlib-chip.ts';
import { fromSquare } from '../../../local/engine/chip.ts';
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
