/**
 * Face detection cascade, fastest first:
 * 1. tiny face detector at 320 px, kept when it finds a face at least 40 px wide there (a selfie, an ID photo):
 *    about 40% less work than 416 px for the same faces; smaller faces (group photos) go on to
 * 2. tiny face detector at 416 px on the photo;
 * 3. tiny face detector on the photo padded with grey borders: the tiny detector misses faces that fill the
 *    whole frame (tight ID-photo crops), and padding makes the face a normal share of the frame;
 * 4. SSD MobileNet v1 (slower, about 2-3x the tiny detector here) as the last resort.
 * Detections are sorted largest first (Alibaba's API compares the largest face), in the photo's coordinates.
 *
 * Each detector sees the photo already shrunk by sharp to its own input size (320 or 416 px tiny, 512 px SSD), and
 * faces are cut out of the photo's pixels (`faceTensor`), so no tensor of the whole photo is ever made.
 * face-api would shrink a whole-photo tensor to the same sizes itself (bilinear, after padding it square),
 * but inside the tfjs wasm heap, which grows to its peak and never shrinks (figures in docs/benchmarks.md,
 * "Face engine").
 */
import type { Tensor3D } from '@tensorflow/tfjs';
import type { FaceDetection, IRect } from '@vladmandic/face-api/dist/face-api.node-wasm.js';
import sharp from 'sharp';
import { asFaceApi, type FaceApiTensor3D, type Runtime } from './runtime.ts';
import type { RgbImage } from './thumb.ts';

const QUICK_INPUT_SIZE = 320;
/** Width, in the 320 px input's pixels, of a face the quick pass may keep. */
const QUICK_MIN_FACE = 40;
const TINY_INPUT_SIZE = 416;
const SSD_INPUT_SIZE = 512;
const MIN_SCORE = 0.5;
const PAD_RATIO = 0.3;
const PAD_GREY = 128;

/** The photo shrunk (never enlarged) to fit `side`, optionally with `pad` grey pixels (photo units) around. */
async function detectorInput(rt: Runtime, photo: RgbImage, side: number, pad: number) {
  const raw = { width: photo.width, height: photo.height, channels: 3 as const };
  let image = sharp(photo.pixels, { raw });
  if (pad > 0) {
    // extend then resize must be two pipelines: sharp always resizes before it extends.
    const padded = await image
      .extend({
        top: pad,
        bottom: pad,
        left: pad,
        right: pad,
        background: { r: PAD_GREY, g: PAD_GREY, b: PAD_GREY },
      })
      .raw()
      .toBuffer();
    image = sharp(padded, { raw: { ...raw, width: photo.width + 2 * pad, height: photo.height + 2 * pad } });
  }
  const { data, info } = await image
    .resize({ width: side, height: side, fit: 'inside', withoutEnlargement: true })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const tensor = rt.tf.tensor3d(data, [info.height, info.width, 3], 'int32');
  /** Photo pixels per input pixel. */
  const scale = (photo.width + 2 * pad) / info.width;
  return { tensor, scale };
}

async function detectOn(
  rt: Runtime,
  photo: RgbImage,
  side: number,
  pad: number,
  detector: (input: FaceApiTensor3D) => Promise<FaceDetection[]>,
): Promise<FaceDetection[]> {
  const { faceapi } = rt;
  const { tensor, scale } = await detectorInput(rt, photo, side, pad);
  try {
    const found = await detector(asFaceApi(tensor));
    const dims = { width: photo.width, height: photo.height };
    return found.map((d) => {
      const { x, y, width, height } = d.box;
      const relative = new faceapi.Rect(
        (x * scale - pad) / photo.width,
        (y * scale - pad) / photo.height,
        (width * scale) / photo.width,
        (height * scale) / photo.height,
      );
      return new faceapi.FaceDetection(d.score, relative, dims);
    });
  } finally {
    tensor.dispose();
  }
}

function largestFirst(detections: FaceDetection[]): FaceDetection[] {
  return [...detections].sort((a, b) => b.box.area - a.box.area);
}

export async function detectFaces(rt: Runtime, photo: RgbImage): Promise<FaceDetection[]> {
  const { faceapi } = rt;
  const tinyAt = (inputSize: number) => {
    const options = new faceapi.TinyFaceDetectorOptions({ inputSize, scoreThreshold: MIN_SCORE });
    return (input: FaceApiTensor3D) => rt.tinyFaceDetector.locateFaces(input, options);
  };
  const tiny = tinyAt(TINY_INPUT_SIZE);

  const quick = largestFirst(await detectOn(rt, photo, QUICK_INPUT_SIZE, 0, tinyAt(QUICK_INPUT_SIZE)));
  const longSide = Math.max(photo.width, photo.height);
  const photoPerInputPixel = longSide / Math.min(QUICK_INPUT_SIZE, longSide);
  if (quick[0] && quick[0].box.width / photoPerInputPixel >= QUICK_MIN_FACE) return quick;

  const direct = await detectOn(rt, photo, TINY_INPUT_SIZE, 0, tiny);
  if (direct.length > 0) return largestFirst(direct);

  const pad = Math.round(Math.max(photo.width, photo.height) * PAD_RATIO);
  const viaPadding = await detectOn(rt, photo, TINY_INPUT_SIZE, pad, tiny);
  if (viaPadding.length > 0) return largestFirst(viaPadding);

  const ssdOptions = new faceapi.SsdMobilenetv1Options({ minConfidence: MIN_SCORE, maxResults: 20 });
  const ssdNet = await rt.ssdMobilenetv1();
  const ssd = (input: FaceApiTensor3D) => ssdNet.locateFaces(input, ssdOptions);
  return largestFirst(await detectOn(rt, photo, SSD_INPUT_SIZE, 0, ssd));
}

/**
 * The pixels of `rect` (photo coordinates, floored) as an int32 tensor owned by the caller; the part of the
 * rect outside the photo is grey, as if the photo were padded. face-api's extractFaceTensors clips the rect
 * to the photo instead, which shifts the landmarks of a face touching the border (they are placed back with
 * the unclipped box).
 */
export function faceTensor(rt: Runtime, photo: RgbImage, rect: IRect): FaceApiTensor3D {
  const x = Math.floor(rect.x);
  const y = Math.floor(rect.y);
  const width = Math.floor(rect.width);
  const height = Math.floor(rect.height);
  if (width <= 0 || height <= 0) throw new Error('the face box is empty');
  const out = new Uint8Array(width * height * 3).fill(PAD_GREY);
  const from = Math.max(x, 0);
  const to = Math.min(x + width, photo.width);
  for (let row = Math.max(y, 0); row < Math.min(y + height, photo.height) && from < to; row++) {
    const source = (row * photo.width + from) * 3;
    out.set(photo.pixels.subarray(source, source + (to - from) * 3), ((row - y) * width + (from - x)) * 3);
  }
  return asFaceApi(rt.tf.tensor3d(out, [height, width, 3], 'int32') as Tensor3D);
}
