import fc from 'fast-check';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { readImageHeader } from '../../../local/engine/header.ts';
import { hugeHeader } from '../../helpers/photos.ts';

async function encoded(format: 'jpeg' | 'png' | 'webp', width: number, height: number, lossless = false) {
  const img = sharp({ create: { width, height, channels: 3, background: { r: 200, g: 100, b: 50 } } });
  if (format === 'webp') return img.webp({ lossless }).toBuffer();
  return format === 'png' ? img.png().toBuffer() : img.jpeg().toBuffer();
}

describe('readImageHeader', () => {
  it('reports empty when given zero bytes', () => {
    expect(readImageHeader(Buffer.alloc(0))).toEqual({ ok: false, reason: 'empty' });
  });

  it('reports not_an_image when the magic bytes match no supported format', () => {
    expect(readImageHeader(Buffer.from('GIF89a, definitely not a face'))).toEqual({
      ok: false,
      reason: 'not_an_image',
    });
  });

  it.each([
    ['jpeg', 321, 123],
    ['png', 64, 480],
    ['webp', 250, 333],
  ] as const)('reads the dimensions of a %s without decoding it', async (format, width, height) => {
    expect(readImageHeader(await encoded(format, width, height))).toEqual({
      ok: true,
      format,
      width,
      height,
    });
  });

  it('reads the dimensions of a lossless webp', async () => {
    expect(readImageHeader(await encoded('webp', 77, 55, true))).toEqual({
      ok: true,
      format: 'webp',
      width: 77,
      height: 55,
    });
  });

  it.each(['png', 'jpeg'] as const)('reads 20000x20000 from a tiny %s header', (format) => {
    expect(readImageHeader(hugeHeader(format))).toMatchObject({ ok: true, width: 20000, height: 20000 });
  });

  it('reports truncated when a JPEG ends before its frame header', async () => {
    const jpeg = await encoded('jpeg', 100, 100);
    expect(readImageHeader(jpeg.subarray(0, 30))).toEqual({ ok: false, reason: 'truncated' });
  });

  it('reports undecodable when a JPEG reaches its scan data without any frame header', () => {
    const bytes = Buffer.from([0xff, 0xd8, 0xff, 0xda, 0x00, 0x08, 1, 2, 3, 4, 5, 6]);
    expect(readImageHeader(bytes)).toEqual({ ok: false, reason: 'undecodable' });
  });

  it('never throws, whatever the bytes (random, or a valid header followed by garbage)', async () => {
    const prefixes = await Promise.all([encoded('jpeg', 9, 9), encoded('png', 9, 9), encoded('webp', 9, 9)]);
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.integer({ min: 0, max: 3 }),
        fc.nat(),
        (tail, which, cut) => {
          const prefix = which < 3 ? prefixes[which]! : Buffer.alloc(0);
          const bytes = Buffer.concat([prefix.subarray(0, cut % (prefix.length + 1)), tail]);
          const result = readImageHeader(bytes);
          if (result.ok) {
            expect(result.width).toBeGreaterThan(0);
            expect(result.height).toBeGreaterThan(0);
          } else {
            expect(['empty', 'not_an_image', 'truncated', 'undecodable']).toContain(result.reason);
          }
        },
      ),
    );
  });

  it('agrees with sharp on the dimensions of any generated JPEG or PNG', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 600 }),
        fc.integer({ min: 1, max: 600 }),
        fc.constantFrom('jpeg', 'png', 'webp'),
        async (width, height, format) => {
          const bytes = await encoded(format, width, height);
          expect(readImageHeader(bytes)).toEqual({ ok: true, format, width, height });
        },
      ),
      { numRuns: 25 },
    );
  });
});
