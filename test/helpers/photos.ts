/**
 * Test photos that exist on a fresh clone: the group photos shipped in @vladmandic/face-api's npm package
 * (demo/sample1..6.jpg, 1920 px wide, 3-5 people each, all different people), two screenshots shipped in
 * @vladmandic/human (assets/) that show the same man in two different photos, and images generated here
 * with sharp. Nothing here depends on ../shared.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp from 'sharp';

const require = createRequire(import.meta.url);
// Both packages keep their entry point in dist/; human's `exports` map hides package.json.
const FACE_API_DEMO = join(dirname(require.resolve('@vladmandic/face-api')), '..', 'demo');
const HUMAN_ASSETS = join(dirname(require.resolve('@vladmandic/human')), '..', 'assets');

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export type SampleNumber = 1 | 2 | 3 | 4 | 5 | 6;

/**
 * Face boxes in demo/sampleN.jpg, largest first, measured once with face-api's SSD MobileNet (minConfidence
 * 0.5, face-api 1.7.15) and written down as test data. Every face in these six photos is a different person.
 */
export const SAMPLE_FACES: Record<SampleNumber, readonly Box[]> = {
  1: [
    { x: 1476, y: 199, width: 203, height: 241 },
    { x: 414, y: 355, width: 177, height: 240 },
    { x: 838, y: 421, width: 186, height: 228 },
  ],
  2: [
    { x: 1447, y: 153, width: 194, height: 242 },
    { x: 361, y: 126, width: 153, height: 259 },
    { x: 902, y: 220, width: 151, height: 233 },
  ],
  3: [
    { x: 1075, y: 215, width: 220, height: 299 },
    { x: 585, y: 329, width: 199, height: 271 },
    { x: 1514, y: 292, width: 170, height: 280 },
  ],
  4: [
    { x: 664, y: 53, width: 187, height: 258 },
    { x: 257, y: 185, width: 162, height: 245 },
    { x: 989, y: 180, width: 169, height: 227 },
    { x: 1277, y: 144, width: 145, height: 244 },
  ],
  5: [
    { x: 377, y: 859, width: 172, height: 301 },
    { x: 1406, y: 390, width: 165, height: 271 },
    { x: 598, y: 415, width: 166, height: 249 },
    { x: 1113, y: 198, width: 158, height: 236 },
    { x: 787, y: 109, width: 156, height: 212 },
  ],
  6: [
    { x: 1487, y: 263, width: 212, height: 296 },
    { x: 250, y: 468, width: 210, height: 291 },
    { x: 1180, y: 305, width: 188, height: 280 },
    { x: 681, y: 321, width: 160, height: 307 },
  ],
};

const cache = new Map<string, Promise<Buffer>>();
function cachedRead(path: string): Promise<Buffer> {
  let hit = cache.get(path);
  if (!hit) {
    hit = readFile(path);
    cache.set(path, hit);
  }
  return hit;
}

/** The original JPEG bytes of demo/sampleN.jpg (a group photo). */
export function samplePhoto(n: SampleNumber): Promise<Buffer> {
  return cachedRead(join(FACE_API_DEMO, `sample${n}.jpg`));
}

/** Crops `box` out of `source` with `margin` (fraction of the box size) on every side, clamped to the image. */
async function cropWithMargin(source: Buffer, box: Box, margin: number, minWidth = 0): Promise<Buffer> {
  const meta = await sharp(source).metadata();
  const left = Math.max(0, Math.round(box.x - box.width * margin));
  const top = Math.max(0, Math.round(box.y - box.height * margin));
  const right = Math.min(meta.width, Math.round(box.x + box.width * (1 + margin)));
  const bottom = Math.min(meta.height, Math.round(box.y + box.height * (1 + margin)));
  let img = sharp(source).extract({ left, top, width: right - left, height: bottom - top });
  if (right - left < minWidth) img = img.resize({ width: minWidth, kernel: 'lanczos3' });
  return img.jpeg({ quality: 92 }).toBuffer();
}

/** A JPEG crop of the i-th largest face of sample n, with a generous margin (60% of the box on each side). */
export async function faceCrop(n: SampleNumber, i = 0): Promise<Buffer> {
  const box = SAMPLE_FACES[n][i];
  if (!box) throw new Error(`sample${n}.jpg has no face #${i}`);
  return cropWithMargin(await samplePhoto(n), box, 0.6);
}

/** Two photos of two different people (the pair of sample faces furthest apart in descriptor space). */
export async function differentPeople(): Promise<[Buffer, Buffer]> {
  return [await faceCrop(5, 4), await faceCrop(6, 0)];
}

/**
 * A genuine same-person pair: two DIFFERENT photos of one man (face-api/human's author, bearded in one,
 * clean-shaven in the other), found by comparing the descriptors of every face in the images shipped in
 * node_modules (descriptor distance 0.33; the closest different-people pair among the samples is 0.47).
 * The faces are small in the screenshots (about 70x100 px), so the crops are upscaled to 320 px wide.
 */
export async function samePersonPair(): Promise<[Buffer, Buffer]> {
  const faceId = await cachedRead(join(HUMAN_ASSETS, 'screenshot-faceid.jpg'));
  const faceMatch = await cachedRead(join(HUMAN_ASSETS, 'screenshot-facematch.jpg'));
  return [
    await cropWithMargin(faceId, { x: 48, y: 150, width: 74, height: 103 }, 0.5, 320),
    await cropWithMargin(faceMatch, { x: 879, y: 296, width: 65, height: 92 }, 0.5, 320),
  ];
}

export const REPLAY_KINDS = ['reencode', 'crop', 'resize', 'mirror', 'rotate', 'brightness'] as const;
export type ReplayKind = (typeof REPLAY_KINDS)[number];

/** A transformed copy of `photo`, as an attacker re-using the reference photo would submit it. */
export async function replayOf(photo: Buffer, kind: ReplayKind): Promise<Buffer> {
  const meta = await sharp(photo).metadata();
  const w = meta.width;
  const h = meta.height;
  switch (kind) {
    case 'reencode':
      return sharp(photo).jpeg({ quality: 70 }).toBuffer();
    case 'crop':
      return sharp(photo)
        .extract({
          left: Math.round(w * 0.08),
          top: Math.round(h * 0.06),
          width: Math.round(w * 0.84),
          height: Math.round(h * 0.88),
        })
        .jpeg({ quality: 88 })
        .toBuffer();
    case 'resize':
      return sharp(photo)
        .resize({ width: Math.round(w * 0.7) })
        .jpeg({ quality: 85 })
        .toBuffer();
    case 'mirror':
      return sharp(photo).flop().jpeg({ quality: 90 }).toBuffer();
    case 'rotate':
      return sharp(photo).rotate(5, { background: '#808080' }).jpeg({ quality: 90 }).toBuffer();
    case 'brightness':
      return sharp(photo).modulate({ brightness: 1.25 }).jpeg({ quality: 90 }).toBuffer();
  }
}

/** An ID-photo look: 240x320 (within 150x200-300x400), greyscale, JPEG quality 50. */
export function idStyle(photo: Buffer): Promise<Buffer> {
  return sharp(photo)
    .resize(240, 320, { fit: 'cover', position: 'attention' })
    .greyscale()
    .toColourspace('b-w')
    .jpeg({ quality: 50 })
    .toBuffer();
}

/**
 * The same picture stored rotated 90 degrees counter-clockwise with EXIF Orientation 6 ("rotate 90 CW to
 * display"): a viewer that honours EXIF shows it exactly like `photo`.
 */
export function exifRotated(photo: Buffer): Promise<Buffer> {
  return sharp(photo).rotate(270).withMetadata({ orientation: 6 }).jpeg({ quality: 95 }).toBuffer();
}

/** The same pixels as a PNG. */
export function asPng(photo: Buffer): Promise<Buffer> {
  return sharp(photo).png().toBuffer();
}

/** A generated 640x480 colour gradient (a valid JPEG without any face). */
export function notAFace(): Promise<Buffer> {
  const width = 640;
  const height = 480;
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      pixels[o] = Math.round((x / width) * 255);
      pixels[o + 1] = Math.round((y / height) * 255);
      pixels[o + 2] = 128;
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
}

/** The first half of a JPEG: valid header, image data ends early. */
export function truncated(photo: Buffer): Buffer {
  return photo.subarray(0, Math.floor(photo.length / 2));
}

/** Bytes that are no image at all. */
export function randomNoise(length = 4096): Buffer {
  return randomBytes(length);
}

function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/**
 * A tiny file (under 100 bytes) whose header claims 20000x20000 pixels: decoding it would need 1.2 GB, so the
 * engine must reject it from the header alone. PNG: a valid IHDR then IEND; JPEG: SOI, a SOF0 frame header, EOI.
 */
export function hugeHeader(format: 'png' | 'jpeg' = 'png', size = 20000): Buffer {
  if (format === 'png') {
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(size, 0);
    ihdr.writeUInt32BE(size, 4);
    ihdr[8] = 8; // bit depth
    ihdr[9] = 2; // truecolour RGB
    return Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      pngChunk('IHDR', ihdr),
      pngChunk('IEND', Buffer.alloc(0)),
    ]);
  }
  const sof = Buffer.from([
    0xff, 0xc0, 0x00, 0x11, 0x08, 0, 0, 0, 0, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1,
  ]);
  sof.writeUInt16BE(size, 5);
  sof.writeUInt16BE(size, 7);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), sof, Buffer.from([0xff, 0xd9])]);
}
