import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodePhotoBase64Text } from '../../../shared/photo/base64.ts';
import { PHOTO_ERRORS, PhotoError } from '../../../shared/photo/errors.ts';
import { normalisePhoto } from '../../../shared/photo/normalise.ts';
import { faceCrop } from '../../helpers/photos.ts';

const LIMITS = { maxBytes: 1024 * 1024, maxPixels: 4_000_000 };
const MAGIC = [
  [0xff, 0xd8, 0xff],
  [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
  [0x52, 0x49, 0x46, 0x46, 0, 0, 0, 0, 0x57, 0x45, 0x42, 0x50],
];

/** Only PhotoError may escape, always with a 4xx status matching its code. */
async function onlyPhotoErrors(run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (err) {
    expect(err).toBeInstanceOf(PhotoError);
    const e = err as PhotoError;
    expect(e.status).toBe(PHOTO_ERRORS[e.code]);
    expect(e.status).toBeGreaterThanOrEqual(400);
    expect(e.status).toBeLessThan(500);
    expect(e.field).toBe('ref');
  }
}

describe('photo validation properties', () => {
  it('never throws anything but a 4xx PhotoError for arbitrary bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), async (bytes) => {
        await onlyPhotoErrors(() => normalisePhoto(Buffer.from(bytes), 'ref', LIMITS));
      }),
      { numRuns: 300 },
    );
  });

  it('never throws anything but a 4xx PhotoError for arbitrary bytes behind a valid magic number', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...MAGIC), fc.uint8Array({ maxLength: 2048 }), async (magic, rest) => {
        await onlyPhotoErrors(() =>
          normalisePhoto(Buffer.concat([Buffer.from(magic), Buffer.from(rest)]), 'ref', LIMITS),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('never throws anything but a 4xx PhotoError for a real JPEG with corrupted bytes', async () => {
    const photo = await faceCrop(1);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat({ max: photo.length - 1 }), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 20,
        }),
        fc.nat({ max: photo.length }),
        async (edits, cut) => {
          const copy = Buffer.from(photo.subarray(0, Math.max(cut, 3)));
          for (const [at, value] of edits) if (at < copy.length) copy[at] = value;
          await onlyPhotoErrors(() => normalisePhoto(copy, 'ref', LIMITS));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('never throws anything but a 4xx PhotoError for arbitrary base64 text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.base64String(), fc.string({ unit: 'binary' })), (text) => {
        try {
          const bytes = decodePhotoBase64Text(text, 'ref', 1024).bytes;
          expect(bytes.length).toBeGreaterThan(0);
        } catch (err) {
          expect(err).toBeInstanceOf(PhotoError);
          expect((err as PhotoError).status).toBeLessThan(500);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('decodes base64 with a data: prefix and line breaks to the original bytes', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 600 }),
        fc.integer({ min: 1, max: 76 }),
        (bytes, width) => {
          const b64 = Buffer.from(bytes).toString('base64');
          const wrapped = `data:image/jpeg;base64,${b64.replace(new RegExp(`(.{${width}})`, 'g'), '$1\r\n')}`;
          expect(decodePhotoBase64Text(wrapped, 'ref', 1024).bytes.equals(Buffer.from(bytes))).toBe(true);
        },
      ),
    );
  });
});
