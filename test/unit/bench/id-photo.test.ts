import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { toIdPhoto } from '../../../bench/id-photo.ts';

/** Width / height of the dark pixels' bounding box in a greyscale JPEG. */
async function darkAspect(jpeg: Buffer): Promise<{ aspect: number; width: number; height: number }> {
  const { data, info } = await sharp(jpeg).greyscale().raw().toBuffer({ resolveWithObject: true });
  let [minX, minY, maxX, maxY] = [info.width, info.height, -1, -1];
  for (let y = 0; y < info.height; y++)
    for (let x = 0; x < info.width; x++)
      if (data[y * info.width + x]! < 100) {
        minX = Math.min(minX, x);
        maxX = Math.max(maxX, x);
        minY = Math.min(minY, y);
        maxY = Math.max(maxY, y);
      }
  return { aspect: (maxX - minX + 1) / (maxY - minY + 1), width: info.width, height: info.height };
}

describe('toIdPhoto', () => {
  it.each([
    ['a landscape photo whose height cuts the crop short', 800, 300],
    ['a portrait photo', 400, 800],
  ])('keeps a round face round in %s (3:4, never stretched)', async (_, width, height) => {
    // A black disc of radius 80 where the "face" is: the ID-style copy must keep it a disc.
    const svg = `<svg width="${width}" height="${height}"><rect width="100%" height="100%" fill="white"/><circle cx="${width / 2}" cy="${height / 2}" r="80" fill="black"/></svg>`;
    const photo = await sharp(Buffer.from(svg)).jpeg({ quality: 95 }).toBuffer();
    const face = { x: width / 2 - 100, y: height / 2 - 100, width: 200, height: 200 };
    const id = await toIdPhoto(photo, face, 240);
    const { aspect, width: w, height: h } = await darkAspect(id);
    expect([w, h]).toEqual([240, 320]);
    expect(aspect).toBeGreaterThan(0.95);
    expect(aspect).toBeLessThan(1.05);
  });
});
