/**
 * Loads tfjs on the wasm backend and face-api's models, from files inside the npm packages (no network).
 * Runs inside an engine worker thread: each worker has its own tfjs engine and its own copy of the weights.
 *
 * Verified facts (tfjs-backend-wasm 4.22, face-api 1.7.15):
 * - face-api's `dist/face-api.node-wasm.js` bundles no tfjs: it `require`s '@tensorflow/tfjs' and
 *   '@tensorflow/tfjs-backend-wasm', so importing both here gives ONE tfjs-core (4.22.0) shared with face-api.
 * - The backend loads its .wasm with `fetch` by default, and Node's fetch cannot read file:// URLs.
 *   `setWasmPaths(dir, false)` (usePlatformFetch = false) lets Emscripten read the binary from disk with fs.
 * - In Node the backend never uses its multi-threaded binary (WASM_HAS_MULTITHREAD_SUPPORT is hard-wired to
 *   false for IS_NODE), so a pair runs on both cores only through two worker threads.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tfjs from '@tensorflow/tfjs';
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import * as faceapi from '@vladmandic/face-api/dist/face-api.node-wasm.js';
import type { FaceApi } from './face-api-types.ts';
import { createLeanSsdMobilenetv1 } from './ssd-detector.ts';
import { createLeanTinyFaceDetector } from './tiny-detector.ts';

const require = createRequire(import.meta.url);

export interface Runtime {
  faceapi: FaceApi;
  /** The same tfjs instance face-api uses (checked at load), with tfjs' full typings. */
  tf: typeof tfjs;
  /** The tiny face detector, with a forward pass that frees each layer as it goes (tiny-detector.ts). */
  tinyFaceDetector: InstanceType<FaceApi['TinyFaceDetector']>;
  /**
   * SSD MobileNet v1, loaded on first use: it is the detectors' last resort (no photo of faces-dev nor of
   * their ID-style and replayed copies needs it), and its weights take about 22 MB of the wasm heap. Its
   * forward pass frees each layer as it goes (ssd-detector.ts).
   */
  ssdMobilenetv1(): Promise<FaceApi['nets']['ssdMobilenetv1']>;
}

/** face-api declares its own (narrower) tfjs typings; its tensors and tfjs' are the same objects at runtime. */
export type FaceApiTensor3D = Awaited<ReturnType<FaceApi['extractFaceTensors']>>[number];
export function asFaceApi(tensor: tfjs.Tensor3D): FaceApiTensor3D {
  return tensor as unknown as FaceApiTensor3D;
}
export function asTfjs(tensor: FaceApiTensor3D): tfjs.Tensor3D {
  return tensor as unknown as tfjs.Tensor3D;
}

function packageDir(entry: string): string {
  return join(dirname(require.resolve(entry)), '..');
}

let loading: Promise<Runtime> | undefined;

/** face-api's model files, inside its npm package. */
export const faceApiModelDir = (): string => join(packageDir('@vladmandic/face-api'), 'model');

/** Loads once per thread; later calls return the same runtime. */
export function loadRuntime(): Promise<Runtime> {
  loading ??= load();
  return loading;
}

async function load(): Promise<Runtime> {
  const tf = tfjs;
  if ((faceapi.tf as unknown as typeof tfjs).engine() !== tf.engine()) {
    throw new Error('face-api and the engine see two different copies of tfjs-core');
  }
  wasm.setWasmPaths(`${join(packageDir('@tensorflow/tfjs-backend-wasm'), 'dist')}/`, false);
  await tf.setBackend('wasm');
  await tf.ready();
  tf.enableProdMode();
  const modelDir = faceApiModelDir();
  const tinyFaceDetector = createLeanTinyFaceDetector(faceapi, tf);
  await Promise.all([
    tinyFaceDetector.loadFromDisk(modelDir),
    faceapi.nets.faceLandmark68Net.loadFromDisk(modelDir),
    faceapi.nets.faceRecognitionNet.loadFromDisk(modelDir),
  ]);
  let ssd: Promise<FaceApi['nets']['ssdMobilenetv1']> | undefined;
  const ssdMobilenetv1 = () => {
    ssd ??= (async () => {
      const net = createLeanSsdMobilenetv1(faceapi, tf);
      await net.loadFromDisk(modelDir);
      return net;
    })();
    return ssd;
  };
  return { faceapi, tf, tinyFaceDetector, ssdMobilenetv1 };
}
