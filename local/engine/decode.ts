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

const EOI = Buffer.from([0xff, 0xd9]);
const SOS = Buffer.from([0xff, 0xda]);

/**
 * Whether the container itself says the data ends early: a JPEG whose last scan has no end-of-image marker
 * after it, a PNG without its IEND chunk, a WebP shorter than its RIFF size.
 * Checked from the bytes because libvips' error text for the same file varies with what else its threads do.
 */
export function endsEarly(bytes: Uint8Array): boolean {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // There must be a scan, and the last end-of-image marker must follow the last start-of-scan (an EXIF
  // thumbnail has its own pair).
  if (b[0] === 0xff && b[1] === 0xd8) {
    const lastScan = b.lastIndexOf(SOS);
    return lastScan < 0 || b.lastIndexOf(EOI) < lastScan;
  }
  if (b[0] === 0x89 && b.subarray(1, 4).toString('latin1') === 'PNG')
    return b.lastIndexOf('IEND', undefined, 'latin1') < 0;
  if (b.subarray(0, 4).toString('latin1') === 'RIFF' && b.length >= 8)
    return b.readUInt32LE(4) + 8 > b.length;
  return false;
}

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
    return endsEarly(bytes) || TRUNCATED.test(text)
      ? { ok: false, reason: 'truncated', message: 'the image data ends early (truncated file)' }
      : { ok: false, reason: 'undecodable', message: 'the image could not be decoded' };
  }
}
