/**
 * Photo validation and normalisation before the paid API sees a photo.
 *
 * Order matters: size in bytes -> magic bytes -> declared dimensions parsed by hand from the container header
 * (photo/dimensions.ts; a decompression bomb is refused before libvips sees it) -> sharp `metadata()`
 * (header only: orientation, colour space) -> either the compliant fast path or a full re-encode, whose
 * decoder also runs with `limitInputPixels`.
 *
 * Compliant = JPEG, no EXIF rotation needed, sRGB/greyscale, within the box (1920x1080 landscape, 1080x1920
 * portrait: Alibaba's guidance bounds the size, not the orientation), at most `maxOutputBytes`, and
 * structurally complete (SOS followed by EOI). Such a photo is NOT re-encoded: its metadata segments (EXIF
 * with GPS, XMP, comments) are removed losslessly, so it is byte-identical when it had none. We do not decode
 * compliant photos fully (that would cost milliseconds per photo); corrupt entropy data inside a complete
 * JPEG is left to the upstream, which answers UNABLE_GET_IMAGE.
 * Everything else is decoded, EXIF-oriented, flattened on white, converted to sRGB, fitted into the box and
 * re-encoded as JPEG; sharp drops all metadata on output unless asked to keep it.
 */
import sharp, { type Metadata, type OutputInfo, type Sharp } from 'sharp';
import { headerDimensions } from './dimensions.ts';
import { PhotoError } from './errors.ts';
import { type JpegInfo, jpegInfo, stripJpegMetadata, walkJpeg } from './jpeg.ts';
import { type PhotoFormat, sniffFormat } from './magic.ts';

interface PhotoLimits {
  /** Input bytes. */
  maxBytes: number;
  /** Declared width x height, checked from the header before decoding. */
  maxPixels: number;
  /** Output bytes; Alibaba recommends about 1 MB. */
  maxOutputBytes?: number;
  /** Shorter side of the oriented photo. */
  minSide?: number;
}

export interface NormalisedPhoto {
  jpeg: Buffer;
  width: number;
  height: number;
  inputFormat: PhotoFormat;
  /** What was done: nothing (byte-identical), metadata segments stripped losslessly, or re-encoded. */
  action: 'unchanged' | 'stripped' | 'reencoded';
}

const BOX_LONG = 1920;
const BOX_SHORT = 1080;
const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;
const DEFAULT_MIN_SIDE = 48;
const QUALITIES = [90, 82, 74, 66] as const;

export async function normalisePhoto(
  bytes: Buffer,
  field: string,
  limits: PhotoLimits,
): Promise<NormalisedPhoto> {
  const maxOutputBytes = limits.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  if (bytes.length === 0) throw new PhotoError('photo_empty', field, `${field} is empty`);
  if (bytes.length > limits.maxBytes) {
    throw new PhotoError('photo_too_large', field, `${field} is larger than ${limits.maxBytes} bytes`);
  }
  const format = sniffFormat(bytes);
  if (!format) {
    throw new PhotoError('photo_unsupported_type', field, `${field} is not a JPEG, PNG or WebP image`);
  }

  const declared = headerDimensions(bytes, format);
  if (!declared) {
    // A JPEG cut short before its frame header has no dimensions to read: say it is cut short.
    const cut = format === 'jpeg' ? walkJpeg(bytes) : undefined;
    if (cut && !cut.ok && cut.reason === 'truncated')
      throw new PhotoError(
        'photo_truncated',
        field,
        `${field} is a truncated JPEG (it ends inside its header)`,
      );
    throw new PhotoError('photo_undecodable', field, `${field} has an unreadable ${format} header`);
  }
  if (declared.width * declared.height > limits.maxPixels) {
    throw new PhotoError(
      'photo_too_many_pixels',
      field,
      `${field} is ${declared.width}x${declared.height}, more than ${limits.maxPixels} pixels`,
    );
  }
  const walk = format === 'jpeg' ? walkJpeg(bytes) : undefined;
  if (walk && !walk.ok) {
    const code = walk.reason === 'truncated' ? 'photo_truncated' : 'photo_undecodable';
    throw new PhotoError(code, field, `${field} is a ${walk.reason} JPEG`);
  }
  // JPEG: orientation and colour components come from our own header walk (no libvips call on the fast path).
  const info = walk?.ok ? jpegInfo(bytes, walk) : await sharpHeader(bytes, format, field);
  if (!info) throw new PhotoError('photo_undecodable', field, `${field} has an unreadable ${format} header`);
  const { orientation } = info;
  const [w, h] = orientation >= 5 ? [declared.height, declared.width] : [declared.width, declared.height];
  if (Math.min(w, h) < (limits.minSide ?? DEFAULT_MIN_SIDE)) {
    throw new PhotoError('photo_too_small', field, `${field} is ${w}x${h}, too small to show a face`);
  }
  const [boxW, boxH] = w >= h ? [BOX_LONG, BOX_SHORT] : [BOX_SHORT, BOX_LONG];

  if (
    walk?.ok &&
    orientation === 1 &&
    (info.components === 1 || info.components === 3) &&
    w <= boxW &&
    h <= boxH
  ) {
    const stripped = stripJpegMetadata(bytes, walk);
    if (stripped.length <= maxOutputBytes) {
      return {
        jpeg: stripped,
        width: w,
        height: h,
        inputFormat: format,
        action: stripped === bytes ? 'unchanged' : 'stripped',
      };
    }
  }
  const sent = await reencode(bytes, field, format, limits.maxPixels, boxW, boxH, maxOutputBytes);
  return checkSent(sent, field, limits);
}

/**
 * The size and pixel checks again, on what will be sent: fitting a 10000x200 strip into the box gives 1920x38,
 * too small to show a face even though the input passed.
 */
function checkSent(photo: NormalisedPhoto, field: string, limits: PhotoLimits): NormalisedPhoto {
  const { width, height } = photo;
  if (Math.min(width, height) < (limits.minSide ?? DEFAULT_MIN_SIDE)) {
    throw new PhotoError(
      'photo_too_small',
      field,
      `${field} would be sent as ${width}x${height} once fitted into ${BOX_LONG}x${BOX_SHORT}, too small to show a face`,
    );
  }
  if (width * height > limits.maxPixels) {
    throw new PhotoError(
      'photo_too_many_pixels',
      field,
      `${field} would be sent as ${width}x${height}, more than ${limits.maxPixels} pixels`,
    );
  }
  return photo;
}

/** PNG and WebP: orientation from sharp's header read (EXIF can live in both). */
async function sharpHeader(bytes: Buffer, format: PhotoFormat, field: string): Promise<JpegInfo | undefined> {
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw new PhotoError('photo_undecodable', field, `${field} has an unreadable ${format} header`, err);
  }
  if (meta.format !== format || !meta.width || !meta.height) return undefined;
  return { components: meta.channels ?? 3, orientation: meta.orientation ?? 1 };
}

/**
 * libjpeg reports image data that ends before the frame does (a file cut short and closed with an EOI, or a
 * frame header patched to a larger size) only as a warning, and decodes the rest as grey: sent upstream, that
 * is a paid call on a photo nobody can judge. So a JPEG is decoded failing on warnings first; a premature end
 * is `photo_truncated`, any other warning (extraneous bytes before a marker, common in camera files) is
 * tolerated by decoding again as before.
 */
async function firstEncode(
  decode: (failOn?: 'error' | 'warning') => Sharp,
  field: string,
  format: PhotoFormat,
): Promise<{ data: Buffer; info: OutputInfo }> {
  const encode = (failOn: 'error' | 'warning') =>
    decode(failOn)
      .jpeg({ quality: QUALITIES[0], chromaSubsampling: '4:2:0' })
      .toBuffer({ resolveWithObject: true });
  if (format !== 'jpeg') return encode('error');
  try {
    return await encode('warning');
  } catch (err) {
    if (err instanceof Error && /premature end/i.test(err.message)) {
      throw new PhotoError(
        'photo_truncated',
        field,
        `${field} is a truncated JPEG (its image data ends before the image does)`,
        err,
      );
    }
    return encode('error');
  }
}

async function reencode(
  bytes: Buffer,
  field: string,
  format: PhotoFormat,
  maxPixels: number,
  boxW: number,
  boxH: number,
  maxOutputBytes: number,
): Promise<NormalisedPhoto> {
  const decode = (failOn: 'error' | 'warning' = 'error') =>
    sharp(bytes, { limitInputPixels: maxPixels, failOn })
      .rotate()
      .resize({ width: boxW, height: boxH, fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb');
  try {
    // One pipeline straight to JPEG first (JPEG shrink-on-load makes big photos cheap)...
    const first = await firstEncode(decode, field, format);
    if (first.data.length <= maxOutputBytes) {
      return {
        jpeg: first.data,
        width: first.info.width,
        height: first.info.height,
        inputFormat: format,
        action: 'reencoded',
      };
    }
    // ...then, for detailed photos, lower qualities and smaller sizes from one decoded raw copy.
    const { data, info } = await decode().raw().toBuffer({ resolveWithObject: true });
    let scale = 1;
    for (let round = 0; round < 4; round++) {
      const width = Math.max(1, Math.round(info.width * scale));
      const height = Math.max(1, Math.round(info.height * scale));
      const base = sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } });
      const pixels = scale === 1 ? data : await base.resize({ width, height, fit: 'fill' }).raw().toBuffer();
      for (const quality of QUALITIES.slice(round === 0 ? 1 : 0)) {
        const jpeg = await sharp(pixels, { raw: { width, height, channels: info.channels } })
          .jpeg({ quality, chromaSubsampling: '4:2:0' })
          .toBuffer();
        if (jpeg.length <= maxOutputBytes)
          return { jpeg, width, height, inputFormat: format, action: 'reencoded' };
      }
      scale *= 0.75;
    }
  } catch (err) {
    if (err instanceof PhotoError) throw err;
    throw new PhotoError('photo_undecodable', field, `${field} could not be decoded as ${format}`, err);
  }
  throw new PhotoError(
    'photo_too_large',
    field,
    `${field} cannot be compressed under ${maxOutputBytes} bytes`,
  );
}
