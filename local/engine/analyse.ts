/**
 * One photo in, one analysis out: decode, find the faces, take the largest, place its 68 landmarks, check
 * its quality (quality.ts), and compute its 128-d descriptor and a small greyscale thumbnail (for replay
 * detection). Runs in a worker. Every tensor made here is disposed before returning (the engine's leak test
 * counts them).
 *
 * The descriptor is computed on the dlib-style crop (eye and mouth centres, `align({useDlibAlignment})`),
 * which is what face-api's own pipeline (`withFaceDescriptors`) feeds its recognition net. The landmarks'
 * bounding box (`alignedRect`, face-api's default `align()`), used here before, gave descriptors 0.30 away
 * from face-api's for the same photo and the same detector (mean over faces-dev and the demo faces); the
 * dlib crop brings that to 0.10 (the rest is the detector's box) and separates people as well as face-api's
 * SSD pipeline does, whose held-out figures set the threshold (calibration.ts).
 */
import type { FaceLandmarks68 } from '@vladmandic/face-api/dist/face-api.node-wasm.js';
import { decodePhoto } from './decode.ts';
import { detectFaces, faceTensor } from './detect.ts';
import type { AnalyseSettings, Analysis } from './messages.ts';
import { passiveScores } from './passive.ts';
import { checkQuality } from './quality.ts';
import { asTfjs, type Runtime } from './runtime.ts';
import { alignedThumb } from './thumb.ts';

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
  const thumb = alignedThumb(decoded, eye(lm.getLeftEye()), eye(lm.getRightEye()));
  const poor = checkQuality(thumb, lm.positions);
  if (poor) return { ok: false, ...poor, decodeMs, detectMs: detectMs() };

  const aligned = faceTensor(rt, decoded, lm.align(null, { useDlibAlignment: true }));
  try {
    const descriptor = (await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(aligned)) as Float32Array;
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
    const box = largest.box;
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
      descriptor: Array.from(descriptor),
      thumb,
      ...passive,
      decodeMs,
      detectMs: detectMs(),
    };
  } finally {
    aligned.dispose();
  }
}
