import { describe, expect, it } from 'vitest';
import { THUMB_SIZE } from '../../../local/engine/messages.ts';
import { alignedThumb, type RgbImage } from '../../../local/engine/thumb.ts';

/** A 200x200 image whose grey level is a function of the position relative to (100, 100). */
function image(rotationRad: number, scale: number): RgbImage {
  const width = 200;
  const height = 200;
  const pixels = new Uint8Array(width * height * 3);
  const cos = Math.cos(-rotationRad);
  const sin = Math.sin(-rotationRad);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const u = ((x - 100) * cos - (y - 100) * sin) / scale;
      const v = ((x - 100) * sin + (y - 100) * cos) / scale;
      const value = 128 + 100 * Math.sin(u / 6) * Math.cos(v / 9);
      pixels.set([value, value, value], (y * width + x) * 3);
    }
  }
  return { pixels, width, height };
}

function eyes(rotationRad: number, scale: number) {
  const at = (dx: number) => ({
    x: 100 + dx * scale * Math.cos(rotationRad),
    y: 100 + dx * scale * Math.sin(rotationRad),
  });
  return [at(-30), at(30)] as const;
}

function meanAbsDiff(a: number[], b: number[]): number {
  return a.reduce((s, v, i) => s + Math.abs(v - b[i]!), 0) / a.length;
}

describe('alignedThumb', () => {
  it('returns THUMB_SIZE x THUMB_SIZE grey values', () => {
    const [l, r] = eyes(0, 1);
    const thumb = alignedThumb(image(0, 1), l, r);
    expect(thumb).toHaveLength(THUMB_SIZE * THUMB_SIZE);
    expect(Math.min(...thumb)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...thumb)).toBeLessThanOrEqual(255);
  });

  it('gives the same thumbnail for a rotated and scaled copy when the eyes move with the picture', () => {
    const [l0, r0] = eyes(0, 1);
    const [l1, r1] = eyes(0.2, 1.3);
    const upright = alignedThumb(image(0, 1), l0, r0);
    const turned = alignedThumb(image(0.2, 1.3), l1, r1);
    const unaligned = alignedThumb(image(0.2, 1.3), l0, r0);
    // Small residue from resampling and clamped borders; without alignment the difference is many times larger.
    expect(meanAbsDiff(upright, turned)).toBeLessThan(8);
    expect(meanAbsDiff(upright, turned) * 4).toBeLessThan(meanAbsDiff(upright, unaligned));
  });

  it('stays finite when both eyes are the same point', () => {
    const thumb = alignedThumb(image(0, 1), { x: 50, y: 50 }, { x: 50, y: 50 });
    expect(thumb.every(Number.isFinite)).toBe(true);
  });
});
