import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { PhotoError } from '../../../shared/photo/errors.ts';
import { jpegInfo, walkJpeg } from '../../../shared/photo/jpeg.ts';
import { normalisePhoto } from '../../../shared/photo/normalise.ts';
import {
  asPng,
  exifRotated,
  faceCrop,
  hugeHeader,
  idStyle,
  randomNoise,
  samplePhoto,
  truncated,
} from '../../helpers/photos.ts';

const LIMITS = { maxBytes: 15 * 1024 * 1024, maxPixels: 50_000_000 };

async function refusal(bytes: Buffer, limits = LIMITS): Promise<PhotoError> {
  const err = await normalisePhoto(bytes, 'refFaceContent', limits).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PhotoError);
  return err as PhotoError;
}

/** A compliant JPEG with an EXIF block carrying GPS coordinates. */
async function withGps(photo: Buffer): Promise<Buffer> {
  return sharp(photo)
    .withExif({
      IFD0: { Make: 'TestCam', Model: 'GPS-1' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 0/1' },
    })
    .jpeg({ quality: 90 })
    .toBuffer();
}

describe('normalisePhoto', () => {
  it('passes a compliant JPEG through byte-identical when it has no metadata', async () => {
    const photo = await faceCrop(1);
    const out = await normalisePhoto(photo, 'ref', LIMITS);
    expect(out.action).toBe('unchanged');
    expect(out.jpeg).toBe(photo);
  });

  it('strips EXIF (GPS) losslessly from an otherwise compliant JPEG, keeping the image data', async () => {
    const photo = await withGps(await faceCrop(2));
    expect((await sharp(photo).metadata()).exif).toBeDefined();
    const out = await normalisePhoto(photo, 'ref', LIMITS);
    expect(out.action).toBe('stripped');
    const meta = await sharp(out.jpeg).metadata();
    expect(meta.exif).toBeUndefined();
    expect(out.jpeg.includes(Buffer.from('GPS-1'))).toBe(false);
    const [a, b] = await Promise.all([sharp(photo).raw().toBuffer(), sharp(out.jpeg).raw().toBuffer()]);
    expect(a.equals(b)).toBe(true);
  });

  it('re-encodes a photo larger than 1920x1080 to fit the box, without metadata', async () => {
    const photo = await samplePhoto(3); // 1920x1350 with EXIF
    const out = await normalisePhoto(photo, 'auth', LIMITS);
    expect(out.action).toBe('reencoded');
    expect(out.width).toBeLessThanOrEqual(1920);
    expect(out.height).toBeLessThanOrEqual(1080);
    const meta = await sharp(out.jpeg).metadata();
    expect(meta.format).toBe('jpeg');
    expect(meta.exif).toBeUndefined();
  });

  it('fits a portrait photo into 1080x1920', async () => {
    const photo = await sharp({ create: { width: 1500, height: 2600, channels: 3, background: '#8a6' } })
      .jpeg()
      .toBuffer();
    const out = await normalisePhoto(photo, 'auth', LIMITS);
    expect(out.width).toBeLessThanOrEqual(1080);
    expect(out.height).toBeLessThanOrEqual(1920);
    expect(out.height).toBeGreaterThan(out.width);
  });

  it('applies the EXIF orientation so the output is upright', async () => {
    const upright = await faceCrop(1);
    const rotated = await exifRotated(upright);
    const out = await normalisePhoto(rotated, 'auth', LIMITS);
    const [u, o] = await Promise.all([sharp(upright).metadata(), sharp(out.jpeg).metadata()]);
    expect(out.action).toBe('reencoded');
    expect([o.width, o.height]).toEqual([u.width, u.height]);
    expect(o.orientation ?? 1).toBe(1);
  });

  it('converts PNG and WebP to JPEG', async () => {
    const face = await faceCrop(4);
    for (const input of [await asPng(face), await sharp(face).webp().toBuffer()]) {
      const out = await normalisePhoto(input, 'ref', LIMITS);
      expect(out.action).toBe('reencoded');
      expect((await sharp(out.jpeg).metadata()).format).toBe('jpeg');
    }
  });

  it('keeps a small greyscale ID-style JPEG unchanged', async () => {
    const photo = await idStyle(await faceCrop(1));
    const out = await normalisePhoto(photo, 'ref', LIMITS);
    expect(out.action).toBe('unchanged');
  });

  it('compresses a detailed photo under the output byte limit', async () => {
    const noisy = await sharp({
      create: {
        width: 1800,
        height: 1000,
        channels: 3,
        background: '#000',
        noise: { type: 'gaussian', mean: 128, sigma: 80 },
      },
    })
      .jpeg({ quality: 100 })
      .toBuffer();
    expect(noisy.length).toBeGreaterThan(1024 * 1024);
    const out = await normalisePhoto(noisy, 'ref', LIMITS);
    expect(out.action).toBe('reencoded');
    expect(out.jpeg.length).toBeLessThanOrEqual(1024 * 1024);
  });

  it('refuses an empty photo with photo_empty (400)', async () => {
    const err = await refusal(Buffer.alloc(0));
    expect([err.code, err.status, err.field]).toEqual(['photo_empty', 400, 'refFaceContent']);
  });

  it('refuses bytes of no image format with photo_unsupported_type (415)', async () => {
    const err = await refusal(Buffer.concat([Buffer.from('GIF89a'), randomNoise(100)]));
    expect([err.code, err.status]).toEqual(['photo_unsupported_type', 415]);
    expect(err.message).toContain('refFaceContent');
  });

  it('refuses a photo over the byte limit with photo_too_large (413)', async () => {
    const err = await refusal(await faceCrop(1), { maxBytes: 1000, maxPixels: 50_000_000 });
    expect([err.code, err.status]).toEqual(['photo_too_large', 413]);
  });

  it('refuses a decompression bomb from its header with photo_too_many_pixels (413)', async () => {
    for (const format of ['png', 'jpeg'] as const) {
      const err = await refusal(hugeHeader(format));
      expect([err.code, err.status]).toEqual(['photo_too_many_pixels', 413]);
    }
  });

  it('refuses a truncated JPEG with photo_truncated (400)', async () => {
    const err = await refusal(truncated(await faceCrop(1)));
    expect([err.code, err.status]).toEqual(['photo_truncated', 400]);
  });

  it('refuses a JPEG cut short before its frame header with photo_truncated, not as undecodable', async () => {
    const photo = await faceCrop(1);
    const sof = photo.indexOf(Buffer.from([0xff, 0xc0]));
    expect(sof).toBeGreaterThan(20);
    const err = await refusal(photo.subarray(0, sof - 3));
    expect([err.code, err.status]).toEqual(['photo_truncated', 400]);
  });

  describe('a JPEG whose image data ends before its frame does (libjpeg only warns)', () => {
    it('is photo_truncated when its frame header claims more than its data (re-encoded), never sent as grey', async () => {
      const photo = Buffer.from(await faceCrop(1));
      const sof = photo.indexOf(Buffer.from([0xff, 0xc0]));
      photo.writeUInt16BE(3000, sof + 5);
      photo.writeUInt16BE(3000, sof + 7);
      const err = await refusal(photo);
      expect([err.code, err.status]).toEqual(['photo_truncated', 400]);
      expect(err.message).toMatch(/image data ends before the image does/);
    });

    it('is photo_truncated when the second half of a large photo is cut and an EOI appended', async () => {
      // 1920 px wide: outside the box, so it is decoded and re-encoded.
      const big = await sharp(await samplePhoto(1))
        .jpeg({ quality: 90 })
        .toBuffer();
      const half = Buffer.concat([big.subarray(0, Math.floor(big.length / 2)), Buffer.from([0xff, 0xd9])]);
      expect((await refusal(half)).code).toBe('photo_truncated');
    });
  });

  it('refuses a JPEG whose magic bytes are followed by garbage with photo_undecodable (400)', async () => {
    const err = await refusal(Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomNoise(2000)]));
    expect(err.status).toBe(400);
    expect(['photo_undecodable', 'photo_truncated']).toContain(err.code);
  });

  it('refuses a truncated PNG with photo_undecodable (400)', async () => {
    const png = await asPng(await faceCrop(1));
    const err = await refusal(png.subarray(0, Math.floor(png.length / 2)));
    expect([err.code, err.status]).toEqual(['photo_undecodable', 400]);
  });

  it('refuses a tiny image with photo_too_small (400)', async () => {
    const tiny = await sharp({ create: { width: 20, height: 20, channels: 3, background: '#000' } })
      .jpeg()
      .toBuffer();
    const err = await refusal(tiny);
    expect([err.code, err.status]).toEqual(['photo_too_small', 400]);
  });
});

describe('walkJpeg', () => {
  it('finds the scan of a complete JPEG', async () => {
    const walk = walkJpeg(await faceCrop(1));
    expect(walk.ok).toBe(true);
  });

  it('reports truncation when the EOI marker is missing', async () => {
    const photo = await faceCrop(1);
    expect(walkJpeg(photo.subarray(0, photo.length - 2))).toEqual({ ok: false, reason: 'truncated' });
  });
});

describe('jpegInfo', () => {
  it('reads the EXIF orientation and the component count without decoding', async () => {
    const rotated = await exifRotated(await faceCrop(1));
    const walk = walkJpeg(rotated);
    if (!walk.ok) throw new Error('walk failed');
    expect(jpegInfo(rotated, walk)).toEqual({ components: 3, orientation: 6 });
  });

  it('reports orientation 1 for a JPEG without EXIF and 1 component for greyscale', async () => {
    const grey = await idStyle(await faceCrop(1));
    const walk = walkJpeg(grey);
    if (!walk.ok) throw new Error('walk failed');
    expect(jpegInfo(grey, walk)).toEqual({ components: 1, orientation: 1 });
  });

  it('sends a CMYK JPEG through the re-encode path to sRGB', async () => {
    const cmyk = await sharp(await faceCrop(1))
      .toColourspace('cmyk')
      .jpeg()
      .toBuffer();
    const out = await normalisePhoto(cmyk, 'ref', LIMITS);
    expect(out.action).toBe('reencoded');
    expect((await sharp(out.jpeg).metadata()).space).toBe('srgb');
  });
});
