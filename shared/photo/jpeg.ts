/**
 * A structural walk over JPEG marker segments, without decoding pixels: finds truncation cheaply and strips
 * metadata segments losslessly (the compressed image data is copied byte for byte).
 *
 * Fact used for the truncation check: inside entropy-coded data every 0xFF byte is followed by 0x00 (byte
 * stuffing) or a restart marker 0xD0-0xD7, so the pair FF D9 after the first SOS can only be the EOI marker.
 */
import { isStartOfFrame } from './dimensions.ts';

interface JpegSegment {
  marker: number;
  /** Offset of the 0xFF that starts the marker. */
  start: number;
  /** Offset just past the segment (its length field included). */
  end: number;
}

type JpegWalk =
  | { ok: true; segments: JpegSegment[] /** Offset of the SOS marker. */; scanStart: number }
  | { ok: false; reason: 'truncated' | 'malformed' };

const SOI = 0xd8;
const EOI = 0xd9;
const SOS = 0xda;
const COM = 0xfe;
const APP0 = 0xe0;
const APP2 = 0xe2;
const APP14 = 0xee;
const isStandalone = (m: number) => m === 0x01 || (m >= 0xd0 && m <= 0xd7);

/** Walks the header segments up to the first SOS and checks that an EOI follows it. */
export function walkJpeg(bytes: Buffer): JpegWalk {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== SOI) return { ok: false, reason: 'malformed' };
  const segments: JpegSegment[] = [];
  let i = 2;
  while (i < bytes.length) {
    if (bytes[i] !== 0xff) return { ok: false, reason: 'malformed' };
    while (i < bytes.length && bytes[i] === 0xff) i++; // fill bytes
    if (i >= bytes.length) return { ok: false, reason: 'truncated' };
    const marker = bytes[i]!;
    const start = i - 1;
    if (marker === SOI || marker === EOI || marker === 0x00) return { ok: false, reason: 'malformed' };
    if (isStandalone(marker)) {
      i++;
      continue;
    }
    if (i + 2 >= bytes.length) return { ok: false, reason: 'truncated' };
    const length = bytes.readUInt16BE(i + 1);
    if (length < 2) return { ok: false, reason: 'malformed' };
    const end = i + 1 + length;
    if (end > bytes.length) return { ok: false, reason: 'truncated' };
    segments.push({ marker, start, end });
    if (marker === SOS) {
      const eoi = bytes.lastIndexOf(Buffer.from([0xff, EOI]));
      return eoi >= end ? { ok: true, segments, scanStart: start } : { ok: false, reason: 'truncated' };
    }
    i = end;
  }
  return { ok: false, reason: 'truncated' };
}

const signatureOf = (bytes: Buffer, seg: JpegSegment, length: number) =>
  bytes.toString('latin1', seg.start + 4, Math.min(seg.end, seg.start + 4 + length));

/**
 * Metadata segments are APP1-APP15 (EXIF with GPS, XMP, IPTC, maker notes...) and COM, except the ones that
 * change how pixels are read: APP2 ICC_PROFILE (colours) and APP14 Adobe (colour transform flag).
 * APP0 (JFIF) is kept.
 */
function isStrippable(bytes: Buffer, seg: JpegSegment): boolean {
  if (seg.marker === COM) return true;
  if (seg.marker <= APP0 || seg.marker > 0xef) return false;
  if (seg.marker === APP2 && signatureOf(bytes, seg, 12) === 'ICC_PROFILE\0') return false;
  if (seg.marker === APP14 && signatureOf(bytes, seg, 5) === 'Adobe') return false;
  return true;
}

/** Removes metadata segments; returns the input itself (byte-identical) when there is nothing to remove. */
export function stripJpegMetadata(bytes: Buffer, walk: Extract<JpegWalk, { ok: true }>): Buffer {
  const drop = walk.segments.filter((s) => isStrippable(bytes, s));
  if (drop.length === 0) return bytes;
  const parts: Buffer[] = [];
  let cursor = 0;
  for (const seg of drop) {
    parts.push(bytes.subarray(cursor, seg.start));
    cursor = seg.end;
  }
  parts.push(bytes.subarray(cursor));
  return Buffer.concat(parts);
}

export interface JpegInfo {
  /** Colour components of the frame: 1 greyscale, 3 YCbCr/RGB, 4 CMYK/YCCK. */
  components: number;
  /** EXIF Orientation (1-8); 1 when there is no EXIF or no such tag. */
  orientation: number;
}

const EXIF_ORIENTATION_TAG = 0x0112;

/** EXIF Orientation from an APP1 "Exif\0\0" segment (TIFF header, IFD0), bounds-checked; undefined if absent. */
function exifOrientation(bytes: Buffer, seg: JpegSegment): number | undefined {
  const tiff = seg.start + 10;
  if (seg.end - tiff < 8 || bytes.toString('latin1', seg.start + 4, tiff) !== 'Exif\0\0') return undefined;
  const order = bytes.toString('latin1', tiff, tiff + 2);
  if (order !== 'II' && order !== 'MM') return undefined;
  const le = order === 'II';
  const u16 = (at: number) => (le ? bytes.readUInt16LE(at) : bytes.readUInt16BE(at));
  const u32 = (at: number) => (le ? bytes.readUInt32LE(at) : bytes.readUInt32BE(at));
  const ifd = tiff + u32(tiff + 4);
  if (ifd + 2 > seg.end) return undefined;
  const count = u16(ifd);
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > seg.end) return undefined;
    if (u16(entry) === EXIF_ORIENTATION_TAG) {
      const value = u16(entry + 8);
      return value >= 1 && value <= 8 ? value : undefined;
    }
  }
  return undefined;
}

/** Frame components and EXIF orientation from the header segments of a walked JPEG, without decoding. */
export function jpegInfo(bytes: Buffer, walk: Extract<JpegWalk, { ok: true }>): JpegInfo | undefined {
  let components: number | undefined;
  let orientation: number | undefined;
  for (const seg of walk.segments) {
    const m = seg.marker;
    if (isStartOfFrame(m) && seg.start + 9 < seg.end) {
      components ??= bytes[seg.start + 9];
    } else if (m === 0xe1) {
      orientation ??= exifOrientation(bytes, seg);
    }
  }
  return components === undefined ? undefined : { components, orientation: orientation ?? 1 };
}
