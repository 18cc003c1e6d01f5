/**
 * face-api's tiny face detector with a lean forward pass. face-api runs the whole network inside one
 * `tf.tidy`, so every layer's output stays allocated until the end: about 100 MB at 416 px, in the tfjs wasm
 * heap, which never gives memory back. This subclass overrides only `runMobilenet` (public in face-api's
 * TinyYolov2Base) to free each layer's input as soon as the next layer exists; the weights, pre-processing,
 * box decoding and non-max suppression stay face-api's own. The layers are the same as face-api 1.7's
 * (src/tinyYolov2/TinyYolov2Base.ts, depthwiseSeparableConv.ts, leaky.ts, common/convLayer.ts); leaky ReLU
 * is tfjs' single `leakyRelu` op instead of face-api's four-op relu(x - 0.1x) + 0.1x (the same function).
 */

import type * as tfjs from '@tensorflow/tfjs';
import type { Tensor1D, Tensor4D } from '@tensorflow/tfjs';
import type { MobilenetParams } from '@vladmandic/face-api/dist/face-api.node-wasm.js';
import type { FaceApi } from './face-api-types.ts';
import { chain } from './layer-chain.ts';

type Tf = typeof tfjs;
type FaceApiTensor4D = Parameters<InstanceType<FaceApi['TinyFaceDetector']>['runMobilenet']>[0];
interface Conv {
  filters: Tensor4D;
  bias: Tensor1D;
}
interface SeparableConv {
  depthwise_filter: Tensor4D;
  pointwise_filter: Tensor4D;
  bias: Tensor1D;
}

const LEAK = 0.10000000149011612;

function conv(tf: Tf, x: Tensor4D, params: Conv, leaky: boolean): Tensor4D {
  return chain(
    x,
    (t) => tf.conv2d(t, params.filters, [1, 1], 'valid'),
    (t) => tf.add<Tensor4D>(t, params.bias),
    ...(leaky ? [(t: Tensor4D) => tf.leakyRelu(t, LEAK)] : []),
  );
}

function separable(tf: Tf, x: Tensor4D, params: SeparableConv): Tensor4D {
  return chain(
    x,
    (t) =>
      tf.pad(t, [
        [0, 0],
        [1, 1],
        [1, 1],
        [0, 0],
      ]),
    (t) => tf.separableConv2d(t, params.depthwise_filter, params.pointwise_filter, [1, 1], 'valid'),
    (t) => tf.add<Tensor4D>(t, params.bias),
    (t) => tf.leakyRelu(t, LEAK),
  );
}

export function createLeanTinyFaceDetector(faceapi: FaceApi, tf: Tf) {
  class LeanTinyFaceDetector extends faceapi.TinyFaceDetector {
    override runMobilenet(input: FaceApiTensor4D, params: MobilenetParams): FaceApiTensor4D {
      // face-api declares its own (narrower) tfjs typings; at runtime these are tfjs' tensors.
      const x = input as unknown as Tensor4D;
      const pool = (stride: number) => (t: Tensor4D) => tf.maxPool(t, [2, 2], [stride, stride], 'same');
      const sep = (p: unknown) => (t: Tensor4D) => separable(tf, t, p as SeparableConv);
      // The tiny face detector's first layer is a plain convolution (isFirstLayerConv2d in its config).
      const out = chain(
        x,
        (t: Tensor4D) => conv(tf, t, params.conv0 as unknown as Conv, true),
        pool(2),
        sep(params.conv1),
        pool(2),
        sep(params.conv2),
        pool(2),
        sep(params.conv3),
        pool(2),
        sep(params.conv4),
        pool(2),
        sep(params.conv5),
        pool(1),
        ...(params.conv6 ? [sep(params.conv6)] : []),
        ...(params.conv7 ? [sep(params.conv7)] : []),
        (t: Tensor4D) => conv(tf, t, params.conv8 as unknown as Conv, false),
      );
      return out as unknown as FaceApiTensor4D;
    }
  }
  return new LeanTinyFaceDetector();
}
