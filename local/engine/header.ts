/**
 * Reads an image's format and dimensions from its first bytes, without decoding any pixel. This is what lets
 * the engine refuse a 20,000 x 20,000 photo (1.2 GB of RGB) before a decoder allocates anything.
 * Pure and total: every input gives a result, nothing throws.
 */
import { isStartOfFrame } from '../../shared/photo/dimensions.ts';

export type ImageFormat = 'jpeg' | 'png' | 'webp';

export type HeaderResult =
  | { ok: true; format: ImageFormat; width: number; height: number }
  | { ok: false; reason: 'empty' | 'not_an_image' | 'truncated' | 'undecodable' };

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function readImageHeader(bytes: Uint8Array): HeaderResult {
  if (bytes.length === 0) return { ok: false, reason: 'empty' };
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return readJpeg(buf);
  if (buf.length >= 8 && buf.subarray(0, 8).equals(PNG_SIGNATURE)) return readPng(buf);
  if (
    buf.length >= 12 &&
    buf.toString('latin1', 0, 4) === 'RIFF' &&
    buf.toString('latin1', 8, 12) === 'WEBP'
  ) {
    return readWebp(buf);
  }
  return { ok: false, reason: 'not_an_image' };
}

function sized(format: ImageFormat, width: number, height: number): HeaderResult {
  if (width <= 0 || height <= 0) return { ok: false, reason: 'undecodable' };
  return { ok: true, format, width, height };
}

function readPng(buf: Buffer): HeaderResult {
  // The IHDR chunk must come first: length(4) 'IHDR'(4) width(4) height(4).
  if (buf.length < 24) return { ok: false, reason: 'truncated' };
  if (buf.toString('latin1', 12, 16) !== 'IHDR') return { ok: false, reason: 'undecodable' };
  return sized('png', buf.readUInt32BE(16), buf.readUInt32BE(20));
}

function readJpeg(buf: Buffer): HeaderResult {
  let offset = 2;
  while (offset < buf.length) {
    if (buf[offset] !== 0xff) return { ok: false, reason: 'undecodable' };
    // Fill bytes: any number of 0xFF may precede a marker.
    while (offset < buf.length && buf[offset] === 0xff) offset++;
    if (offset >= buf.length) break;
    const marker = buf[offset]!;
    offset++;
    if (marker === 0xd9 || marker === 0xda) return { ok: false, reason: 'undecodable' }; // EOI/SOS before SOF
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue; // markers without a length
    if (offset + 2 > buf.length) break;
    const length = buf.readUInt16BE(offset);
    if (length < 2) return { ok: false, reason: 'undecodable' };
    if (isStartOfFrame(marker)) {
      if (offset + 7 > buf.length) break;
      return sized('jpeg', buf.readUInt16BE(offset + 5), buf.readUInt16BE(offset + 3));
    }
    offset += length;
  }
  return { ok: false, reason: 'truncated' };
}

function readWebp(buf: Buffer): HeaderResult {
  if (buf.length < 30) return { ok: false, reason: 'truncated' };
  const chunk = buf.toString('latin1', 12, 16);
  if (chunk === 'VP8 ') {
    // Lossy: frame tag (3 bytes), start code 9d 01 2a, then 14-bit width and height.
    if (buf[23] !== 0x9d || buf[24] !== 0x01 || buf[25] !== 0x2a) return { ok: false, reason: 'undecodable' };
    return sized('webp', buf.readUInt16LE(26) & 0x3fff, buf.readUInt16LE(28) & 0x3fff);
  }
  if (chunk === 'VP8L') {
    // Lossless: signature 0x2f, then 14-bit width-1 and 14-bit height-1, little endian bit-packed.
    if (buf[20] !== 0x2f) return { ok: false, reason: 'undecodable' };
    const bits = buf.readUInt32LE(21);
    return sized('webp', (bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
  }
  if (chunk === 'VP8X') {
    // Extended: 24-bit canvas width-1 and height-1 at offsets 24 and 27.
    return sized('webp', buf.readUIntLE(24, 3) + 1, buf.readUIntLE(27, 3) + 1);
  }
  return { ok: false, reason: 'undecodable' };
}
