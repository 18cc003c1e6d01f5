/**
 * One photo in, one analysis out: decode, find the faces, take the largest, place its 68 landmarks, check
 * its quality (quality.ts, on the eye-aligned thumbnail of thumb.ts), and compute its 128-d descriptor and
 * a small greyscale thumbnail of its dlib chip (dlib-chip.ts, for replay detection). Runs in a worker. Every
 * tensor made here is disposed before returning (the engine's leak test counts them).
 *
 * The descriptor is computed on face-api's dlib-style crop (eye and mouth centres, the crop its own pipeline
 * feeds the recognition net), levelled on the eye line, with the landmarks placed a second time on the face
 * turned upright when the head is rolled (chip.ts). face-api cuts the crop upright: the same photo turned by 25 degrees then moved
 * 0.30-0.70 in descriptor distance, and levelled about 0.1; over faces-dev and the demo faces, levelling
 * separates people better (d' 5.1 -> 5.7, figures in docs/benchmarks.md). The landmarks' bounding box, used
 * before the dlib crop, gave descriptors 0.30 away from face-api's for the same photo. The descriptor is the
 * mean of the crop's and of its mirror image's (test-time flip, one batch of two through the net): a face and
 * its mirror then describe alike, and same-person pairs come closer than different people do (figures in
 * docs/benchmarks.md).
 */
import type { FaceLandmarks68, IRect } from '@vladmandic/face-api/dist/face-api.node-wasm.js';
import { dlibSquare, fromSquare, type RotatedSquare, warpSquare } from './chip.ts';
import { decodePhoto } from './decode.ts';
import { detectFaces, faceTensor } from './detect.ts';
import { faceThumb } from './dlib-chip.ts';
import type { AnalyseSettings, Analysis } from './messages.ts';
import { passiveScores } from './passive.ts';
import { checkQuality } from './quality.ts';
import { asFaceApi, asTfjs, type FaceApiTensor3D, type Runtime } from './runtime.ts';
import { alignedThumb, type Point, type RgbImage } from './thumb.ts';

/** The recognition net's input size (face-api resizes any crop to it). */
const CHIP_SIZE = 150;
/** Side of the upright face given to the landmark net (its own input is 112 px). */
const LANDMARK_INPUT = 160;
/**
 * Head roll (radians, 10 degrees) from which the landmarks are placed again on the upright face: below it the
 * first landmarks are as good (same separation on faces-dev and the demo faces) and the second pass is saved.
 */
const RELAND_MIN_ROLL = (10 * Math.PI) / 180;

function chipTensor(rt: Runtime, pixels: Uint8Array, size: number): FaceApiTensor3D {
  return asFaceApi(rt.tf.tensor3d(pixels, [size, size, 3], 'int32'));
}

/**
 * The landmarks again, on the face turned upright (a level eye line), when the head is rolled by
 * RELAND_MIN_ROLL or more: placed on a tilted face they are less exact, and the descriptor's crop is built
 * from them.
 */
async function uprightLandmarks(
  rt: Runtime,
  photo: RgbImage,
  box: IRect,
  positions: readonly Point[],
): Promise<readonly Point[]> {
  const angle = dlibSquare(positions, true).angle;
  if (Math.abs(angle) < RELAND_MIN_ROLL) return positions;
  const upright: RotatedSquare = {
    centre: { x: box.x + box.width / 2, y: box.y + box.height / 2 },
    side: Math.max(box.width, box.height),
    angle,
    anchorX: 0.5,
    anchorY: 0.5,
  };
  const uprightFace = chipTensor(rt, warpSquare(photo, upright, LANDMARK_INPUT), LANDMARK_INPUT);
  try {
    const relanded = (await rt.faceapi.nets.faceLandmark68Net.detectLandmarks(
      uprightFace,
    )) as FaceLandmarks68;
    return relanded.positions.map((p) => fromSquare(upright, LANDMARK_INPUT, p));
  } finally {
    uprightFace.dispose();
  }
}

export async function analysePhoto(
  rt: Runtime,
  bytes: Uint8Array,
  settings: AnalyseSettings,
): Promise<Analysis> {
  const started = performance.now();
  const decoded = await decodePhoto(bytes, settings.detectMaxSide);
  const decodeMs = performance.now() - started;
  if (!decoded.ok) return { ...decoded, decodeMs, detectMs: 0 };

  const { faceapi } = rt;
  const detections = await detectFaces(rt, decoded);
  const detectMs = () => performance.now() - started - decodeMs;
  const largest = detections[0];
  if (!largest) {
    return { ok: false, reason: 'no_face', message: 'no face was found', decodeMs, detectMs: detectMs() };
  }
  const faceWidth = largest.box.width * decoded.scale;
  if (faceWidth < settings.minFaceSize) {
    const message = `the largest face is ${Math.round(faceWidth)} px wide, below the minimum of ${settings.minFaceSize} px`;
    return { ok: false, reason: 'face_too_small', message, decodeMs, detectMs: detectMs() };
  }

  const face = faceTensor(rt, decoded, largest.box);
  const landmarks = (await faceapi.nets.faceLandmark68Net.detectLandmarks(face)) as FaceLandmarks68;
  face.dispose();
  const withLandmarks = faceapi.extendWithFaceLandmarks(
    faceapi.extendWithFaceDetection({}, largest),
    landmarks,
  );
  const lm = withLandmarks.landmarks;
  const eye = (points: { x: number; y: number }[]) => ({
    x: points.reduce((sum, p) => sum + p.x, 0) / points.length,
    y: points.reduce((sum, p) => sum + p.y, 0) / points.length,
  });
  const qualityThumb = alignedThumb(decoded, eye(lm.getLeftEye()), eye(lm.getRightEye()));
  const box = largest.box;
  const points = await uprightLandmarks(rt, decoded, box, lm.positions);
  const poor = checkQuality(qualityThumb, points);
  if (poor) return { ok: false, ...poor, decodeMs, detectMs: detectMs() };

  const square = dlibSquare(points, true);
  const aligned = chipTensor(rt, warpSquare(decoded, square, CHIP_SIZE), CHIP_SIZE);
  const mirrored = chipTensor(rt, warpSquare(decoded, square, CHIP_SIZE, true), CHIP_SIZE);
  try {
    // One batch of two through the recognition net: the crop and its mirror image (test-time flip).
    const [plain, flipped] = (await faceapi.nets.faceRecognitionNet.computeFaceDescriptor([
      aligned,
      mirrored,
    ])) as Float32Array[];
    if (!plain || !flipped) throw new Error('the recognition net returned fewer than two descriptors');
    // The passive models keep the crop they were calibrated on: the landmarks' bounding box.
    let passive = {};
    if (settings.passiveSignals) {
      const crop = faceTensor(rt, decoded, withLandmarks.alignedRect.box);
      try {
        passive = await passiveScores(rt, asTfjs(crop));
      } finally {
        crop.dispose();
      }
    }
    return {
      ok: true,
      faces: detections.length,
      box: {
        x: Math.max(0, Math.round(box.x * decoded.scale)),
        y: Math.max(0, Math.round(box.y * decoded.scale)),
        width: Math.round(box.width * decoded.scale),
        height: Math.round(box.height * decoded.scale),
      },
      detectionScore: Math.round(largest.score * 1000) / 1000,
      width: decoded.originalWidth,
      height: decoded.originalHeight,
      descriptor: Array.from(plain, (v, i) => (v + flipped[i]!) / 2),
      thumb: faceThumb(decoded, points),
      ...passive,
      decodeMs,
      detectMs: detectMs(),
    };
  } finally {
    aligned.dispose();
    mirrored.dispose();
  }
}
