/**
 * Decodes a photo with sharp into RGB pixels ready for detection: EXIF orientation applied, greyscale and
 * alpha normalised to 3 channels, large photos downscaled (never upscaled) to `maxSide`.
 * The caller has already checked the header (format, dimensions); decoder failures become typed reasons.
 */
import sharp from 'sharp';

export interface DecodedPhoto {
  ok: true;
  /** RGB, row-major. */
  pixels: Buffer;
  /** Size of `pixels`. */
  width: number;
  height: number;
  /** Size of the EXIF-oriented original photo. */
  originalWidth: number;
  originalHeight: number;
  /** originalWidth / width (>= 1). */
  scale: number;
}

export interface DecodeFailure {
  ok: false;
  reason: 'truncated' | 'undecodable';
  message: string;
}

/** libjpeg / libpng / libwebp wordings for data that ends early. */
const TRUNCATED =
  /premature end|truncated|unexpected end|end of (input|file|data)|not enough data|short read/i;

export async function decodePhoto(bytes: Uint8Array, maxSide: number): Promise<DecodedPhoto | DecodeFailure> {
  try {
    // failOn 'warning': a JPEG whose data ends early is a warning for libjpeg, but must not be judged.
    const image = sharp(bytes, { failOn: 'warning' }).autoOrient();
    const { data, info } = await image
      .resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    const meta = await sharp(bytes).metadata();
    const oriented = meta.autoOrient ?? { width: info.width, height: info.height };
    if (info.channels !== 3) return { ok: false, reason: 'undecodable', message: 'unsupported pixel layout' };
    return {
      ok: true,
      pixels: data,
      width: info.width,
      height: info.height,
      originalWidth: oriented.width,
      originalHeight: oriented.height,
      scale: oriented.width / info.width,
    };
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    return TRUNCATED.test(text)
      ? { ok: false, reason: 'truncated', message: 'the image data ends early (truncated file)' }
      : { ok: false, reason: 'undecodable', message: 'the image could not be decoded' };
  }
}
