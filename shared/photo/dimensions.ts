/**
 * Declared width and height, read from the container header by hand before any decoder runs: a file that
 * claims 20000x20000 pixels is refused even when libvips would not parse the rest of it (sharp's metadata()
 * fails on a PNG without IDAT or a JPEG without SOS, which would hide the real reason).
 */
import type { PhotoFormat } from './magic.ts';

export interface Dimensions {
  width: number;
  height: number;
}

/** SOFn markers that carry the frame size (C4 DHT, C8 JPG and CC DAC are not frames). */
export const isStartOfFrame = (m: number): boolean =>
  m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

function jpegDimensions(b: Buffer): Dimensions | undefined {
  let i = 2;
  while (i + 3 < b.length) {
    if (b[i] !== 0xff) return undefined;
    while (i < b.length && b[i] === 0xff) i++;
    const marker = b[i];
    if (marker === undefined || i + 2 >= b.length) return undefined;
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i++;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return undefined;
    if (isStartOfFrame(marker)) {
      if (i + 8 > b.length) return undefined;
      return { height: b.readUInt16BE(i + 4), width: b.readUInt16BE(i + 6) };
    }
    i += 1 + b.readUInt16BE(i + 1);
  }
  return undefined;
}

function pngDimensions(b: Buffer): Dimensions | undefined {
  if (b.length < 24 || b.toString('latin1', 12, 16) !== 'IHDR') return undefined;
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

function webpDimensions(b: Buffer): Dimensions | undefined {
  const chunk = b.toString('latin1', 12, 16);
  if (chunk === 'VP8 ' && b.length >= 30) {
    return { width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff };
  }
  if (chunk === 'VP8L' && b.length >= 25) {
    const bits = b.readUInt32LE(21);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8X' && b.length >= 30)
    return { width: 1 + b.readUIntLE(24, 3), height: 1 + b.readUIntLE(27, 3) };
  return undefined;
}

export function headerDimensions(bytes: Buffer, format: PhotoFormat): Dimensions | undefined {
  const d =
    format === 'jpeg'
      ? jpegDimensions(bytes)
      : format === 'png'
        ? pngDimensions(bytes)
        : webpDimensions(bytes);
  return d && d.width > 0 && d.height > 0 ? d : undefined;
}
