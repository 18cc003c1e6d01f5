/**
 * face-api's SSD MobileNet v1 with a lean forward pass, for the same reason as tiny-detector.ts: face-api runs
 * the backbone's 27 layers inside one `tf.tidy`, so every layer's output (about 100 MB at the net's fixed 512 px
 * input) stays allocated until the end, and the tfjs wasm heap, which never gives memory back, grew by about
 * 190 MB (RSS 132 MB) once photos reached SSD; with this pass, 114 MB (RSS 83 MB). This subclass overrides
 * only `forwardInput` (public in face-api's SsdMobilenetv1) and frees each backbone layer's input as soon as its output exists; weights, box decoding
 * against the anchors, non-max suppression and box mapping (`locateFaces`) stay face-api's own. The layers are
 * those of face-api 1.7 (src/ssdMobilenetv1/mobileNetV1.ts, pointwiseConvLayer.ts, predictionLayer.ts,
 * boxPredictionLayer.ts, outputLayer.ts, common/convLayer.ts); its heads (on the 32x32 map and smaller)
 * are kept as they are.
 */

import type * as tfjs from '@tensorflow/tfjs';
import type { Tensor1D, Tensor2D, Tensor3D, Tensor4D } from '@tensorflow/tfjs';
import type { FaceApi } from './face-api-types.ts';
import { chain } from './layer-chain.ts';

type Tf = typeof tfjs;
type Ssd = InstanceType<FaceApi['SsdMobilenetv1']>;
type NetInput = Parameters<Ssd['forwardInput']>[0];
type Output = ReturnType<Ssd['forwardInput']>;

interface Pointwise {
  filters: Tensor4D;
  batch_norm_offset: Tensor1D;
}
interface Depthwise {
  filters: Tensor4D;
  batch_norm_scale: Tensor1D;
  batch_norm_offset: Tensor1D;
  batch_norm_mean: Tensor1D;
  batch_norm_variance: Tensor1D;
}
interface Conv {
  filters: Tensor4D;
  bias: Tensor1D;
}
interface BoxPredictor {
  box_encoding_predictor: Conv;
  class_predictor: Conv;
}
interface Params {
  mobilenetv1: Record<string, unknown>;
  prediction_layer: Record<string, unknown>;
  output_layer: { extra_dim: Tensor3D };
}

const EPSILON = 0.0010000000474974513;
/** Backbone layers (1-13) whose depthwise convolution has stride 2. */
const STRIDE_TWO = new Set([2, 4, 6, 12]);

function pointwise(tf: Tf, x: Tensor4D, params: Pointwise, stride: number): Tensor4D {
  return chain(
    x,
    (t) => tf.conv2d(t, params.filters, stride, 'same'),
    (t) => tf.add<Tensor4D>(t, params.batch_norm_offset),
    (t) => tf.clipByValue(t, 0, 6),
  );
}

function depthwise(tf: Tf, x: Tensor4D, params: Depthwise, stride: number): Tensor4D {
  return chain(
    x,
    (t) => tf.depthwiseConv2d(t, params.filters, stride, 'same'),
    (t) =>
      tf.batchNorm<tfjs.Rank.R4>(
        t,
        params.batch_norm_mean,
        params.batch_norm_variance,
        params.batch_norm_offset,
        params.batch_norm_scale,
        EPSILON,
      ),
    (t) => tf.clipByValue(t, 0, 6),
  );
}

/** The backbone, freeing each layer's input once the next output exists; keeps layer 11's output. */
function backbone(tf: Tf, x: Tensor4D, params: Record<string, unknown>): { out: Tensor4D; conv11: Tensor4D } {
  let out = pointwise(tf, x, params.conv_0 as Pointwise, 2);
  let conv11: Tensor4D | undefined;
  for (let layer = 1; layer <= 13; layer++) {
    const pair = params[`conv_${layer}`] as { depthwise_conv: Depthwise; pointwise_conv: Pointwise };
    const mid = depthwise(tf, out, pair.depthwise_conv, STRIDE_TWO.has(layer) ? 2 : 1);
    if (out !== conv11) out.dispose();
    out = pointwise(tf, mid, pair.pointwise_conv, 1);
    mid.dispose();
    if (layer === 11) conv11 = out;
  }
  if (!conv11) throw new Error('SSD MobileNet: no output from backbone layer 11');
  return { out, conv11 };
}

function predict(tf: Tf, x: Tensor4D, params: BoxPredictor) {
  const batch = x.shape[0];
  const conv = (p: Conv) => tf.add<Tensor4D>(tf.conv2d(x, p.filters, 1, 'same'), p.bias);
  return {
    box: tf.reshape(conv(params.box_encoding_predictor), [batch, -1, 1, 4]),
    cls: tf.reshape(conv(params.class_predictor), [batch, -1, 3]),
  };
}

/** face-api's prediction and output layers (small tensors: the backbone's 16x16 and 32x32 maps and below). */
function heads(
  tf: Tf,
  out: Tensor4D,
  conv11: Tensor4D,
  params: Params,
): { boxes: tfjs.Tensor[]; scores: tfjs.Tensor[] } {
  const p = params.prediction_layer;
  const c0 = pointwise(tf, out, p.conv_0 as Pointwise, 1);
  const c1 = pointwise(tf, c0, p.conv_1 as Pointwise, 2);
  const c2 = pointwise(tf, c1, p.conv_2 as Pointwise, 1);
  const c3 = pointwise(tf, c2, p.conv_3 as Pointwise, 2);
  const c4 = pointwise(tf, c3, p.conv_4 as Pointwise, 1);
  const c5 = pointwise(tf, c4, p.conv_5 as Pointwise, 2);
  const c6 = pointwise(tf, c5, p.conv_6 as Pointwise, 1);
  const c7 = pointwise(tf, c6, p.conv_7 as Pointwise, 2);
  const predictions = [conv11, out, c1, c3, c5, c7].map((x, i) =>
    predict(tf, x, p[`box_predictor_${i}`] as BoxPredictor),
  );
  const boxPredictions = tf.concat(
    predictions.map((q) => q.box),
    1,
  );
  const classPredictions = tf.concat(
    predictions.map((q) => q.cls),
    1,
  );

  const batch = boxPredictions.shape[0];
  const anchors = tf.reshape(tf.tile(params.output_layer.extra_dim, [batch, 1, 1]), [-1, 4]) as Tensor2D;
  const encoded = tf.reshape(boxPredictions, [-1, 4]) as Tensor2D;
  const a = tf.unstack(tf.transpose(anchors, [1, 0]));
  const e = tf.unstack(tf.transpose(encoded, [1, 0]));
  const sizes = [tf.sub(a[2]!, a[0]!), tf.sub(a[3]!, a[1]!)];
  const centres = [tf.add(a[0]!, tf.div(sizes[0]!, 2)), tf.add(a[1]!, tf.div(sizes[1]!, 2))];
  const half = [0, 1].map((k) => tf.div(tf.mul(tf.exp(tf.div(e[k + 2]!, 5)), sizes[k]!), 2));
  const centre = [0, 1].map((k) => tf.add(tf.mul(tf.div(e[k]!, 10), sizes[k]!), centres[k]!));
  const decoded = tf.transpose(
    tf.stack([
      tf.sub(centre[0]!, half[0]!),
      tf.sub(centre[1]!, half[1]!),
      tf.add(centre[0]!, half[0]!),
      tf.add(centre[1]!, half[1]!),
    ]),
    [1, 0],
  );
  const boxes = tf.reshape(decoded, [batch, decoded.shape[0] / batch, 4]);
  const scoresAndClasses = tf.sigmoid(tf.slice(classPredictions, [0, 0, 1], [-1, -1, -1]));
  const scores = tf.reshape(tf.slice(scoresAndClasses, [0, 0, 0], [-1, -1, 1]), [
    batch,
    scoresAndClasses.shape[1]!,
  ]);
  return { boxes: tf.unstack(boxes), scores: tf.unstack(scores) };
}

export function createLeanSsdMobilenetv1(faceapi: FaceApi, tf: Tf): Ssd {
  class LeanSsdMobilenetv1 extends faceapi.SsdMobilenetv1 {
    override forwardInput(input: NetInput): Output {
      const params = this.params as unknown as Params | undefined;
      if (!params) throw new Error('SsdMobilenetv1 - load model before inference');
      // Each stage in its own tidy: the backbone's layers free their inputs as they go, and whatever is still
      // allocated when a step throws (an exhausted wasm heap) is freed on the way out, as in face-api's pass.
      // face-api's declarations use their own (narrower) tfjs typings; at runtime these are tfjs' tensors.
      const x = tf.tidy(() =>
        tf.sub<Tensor4D>(
          tf.div(tf.cast(input.toBatchTensor(512, false) as unknown as Tensor4D, 'float32'), 127.5),
          1,
        ),
      );
      let features: { out: Tensor4D; conv11: Tensor4D };
      try {
        features = tf.tidy(() => backbone(tf, x, params.mobilenetv1));
      } finally {
        x.dispose();
      }
      try {
        return tf.tidy(() => heads(tf, features.out, features.conv11, params)) as unknown as Output;
      } finally {
        features.out.dispose();
        features.conv11.dispose();
      }
    }
  }
  return new LeanSsdMobilenetv1();
}
