/**
 * Face detection cascade, fastest first:
 * 1. tiny face detector on the photo;
 * 2. tiny face detector on the photo padded with grey borders: the tiny detector misses faces that fill the
 *    whole frame (tight ID-photo crops), and padding makes the face a normal share of the frame;
 * 3. SSD MobileNet v1 (slower, about 2-3x the tiny detector here) as the last resort.
 * Detections are sorted largest first (Alibaba's API compares the largest face).
 */
import type { Tensor3D } from '@tensorflow/tfjs';
import type { FaceDetection } from '@vladmandic/face-api/dist/face-api.node-wasm.js';
import { asFaceApi, type Runtime } from './runtime.ts';

export interface Detected {
  /** The tensor the detections refer to: the input, or a padded copy owned by the caller. */
  tensor: Tensor3D;
  /** Padding added on each side of `tensor` (0 when it is the input). */
  offset: number;
  detections: FaceDetection[];
}

const TINY_INPUT_SIZE = 416;
const MIN_SCORE = 0.5;
const PAD_RATIO = 0.3;

function largestFirst(detections: FaceDetection[]): FaceDetection[] {
  return [...detections].sort((a, b) => b.box.area - a.box.area);
}

export async function detectFaces(rt: Runtime, image: Tensor3D): Promise<Detected> {
  const { faceapi, tf } = rt;
  const tiny = new faceapi.TinyFaceDetectorOptions({ inputSize: TINY_INPUT_SIZE, scoreThreshold: MIN_SCORE });

  const direct = await faceapi.detectAllFaces(asFaceApi(image), tiny);
  if (direct.length > 0) return { tensor: image, offset: 0, detections: largestFirst(direct) };

  const [height, width] = image.shape;
  const pad = Math.round(Math.max(height, width) * PAD_RATIO);
  const padded = tf.pad(
    image,
    [
      [pad, pad],
      [pad, pad],
      [0, 0],
    ],
    128,
  );
  const viaPadding = await faceapi.detectAllFaces(asFaceApi(padded), tiny);
  if (viaPadding.length > 0) return { tensor: padded, offset: pad, detections: largestFirst(viaPadding) };
  padded.dispose();

  const ssd = new faceapi.SsdMobilenetv1Options({ minConfidence: MIN_SCORE, maxResults: 20 });
  const viaSsd = await faceapi.detectAllFaces(asFaceApi(image), ssd);
  return { tensor: image, offset: 0, detections: largestFirst(viaSsd) };
}
