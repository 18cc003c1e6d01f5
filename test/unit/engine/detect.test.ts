import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodePhoto } from '../../../local/engine/decode.ts';
import { detectFaces, faceTensor } from '../../../local/engine/detect.ts';
import { asTfjs, loadRuntime, type Runtime } from '../../../local/engine/runtime.ts';
import { createLeanSsdMobilenetv1 } from '../../../local/engine/ssd-detector.ts';
import { faceCrop, type SampleNumber, samplePhoto } from '../../helpers/photos.ts';

const require = createRequire(import.meta.url);
const MODEL_DIR = join(dirname(require.resolve('@vladmandic/face-api')), '..', 'model');

let rt: Runtime;
beforeAll(async () => {
  rt = await loadRuntime();
}, 60_000);

async function rgb(photo: Buffer) {
  const decoded = await decodePhoto(photo, 1024);
  if (!decoded.ok) throw new Error(decoded.message);
  return decoded;
}

interface Detector {
  locateFaces(
    input: never,
    options: never,
  ): Promise<{ score: number; box: Record<'x' | 'y' | 'width' | 'height', number> }[]>;
}

/** The lean detector finds what face-api's own finds on demo photos shrunk to `side`, and frees every tensor. */
async function expectSameFaces(
  lean: Detector,
  original: Detector,
  options: unknown,
  side: number,
  samples: SampleNumber[],
) {
  for (const n of samples) {
    const { data, info } = await sharp(await samplePhoto(n))
      .resize({ width: side, height: side, fit: 'inside' })
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const input = rt.tf.tensor3d(data, [info.height, info.width, 3], 'int32');
    const before = rt.tf.memory().numTensors;
    const found = await lean.locateFaces(input as never, options as never);
    expect(rt.tf.memory().numTensors).toBe(before);
    const reference = await original.locateFaces(input as never, options as never);
    input.dispose();
    expect(found.length).toBeGreaterThan(0);
    expect(found.map((d) => d.score)).toEqual(reference.map((d) => expect.closeTo(d.score, 4)));
    for (const key of ['x', 'y', 'width', 'height'] as const)
      expect(found.map((d) => d.box[key])).toEqual(reference.map((d) => expect.closeTo(d.box[key], 2)));
  }
}

describe('the lean detectors', () => {
  it("tiny: finds the same faces as face-api's own tiny detector and leaves no tensor behind", async () => {
    const original = rt.faceapi.nets.tinyFaceDetector;
    if (!original.isLoaded) await original.loadFromDisk(MODEL_DIR);
    const options = new rt.faceapi.TinyFaceDetectorOptions({ inputSize: 416, scoreThreshold: 0.3 });
    await expectSameFaces(rt.tinyFaceDetector as never, original as never, options, 416, [1, 2, 5]);
  });

  it("SSD: finds the same faces as face-api's own SSD MobileNet and leaves no tensor behind", async () => {
    const original = rt.faceapi.nets.ssdMobilenetv1;
    if (!original.isLoaded) await original.loadFromDisk(MODEL_DIR);
    const lean = await rt.ssdMobilenetv1();
    expect(lean).not.toBe(original);
    const options = new rt.faceapi.SsdMobilenetv1Options({ minConfidence: 0.3, maxResults: 20 });
    await expectSameFaces(lean as never, original as never, options, 512, [1, 4, 6]);
  });

  it('SSD: frees what it allocated when a layer throws halfway through the backbone', async () => {
    const net = createLeanSsdMobilenetv1(rt.faceapi, rt.tf);
    await net.loadFromDisk(MODEL_DIR);
    const layers = (
      net.params as unknown as { mobilenetv1: Record<string, { depthwise_conv: { filters: unknown } }> }
    ).mobilenetv1;
    const good = layers.conv_9!.depthwise_conv.filters;
    const bad = rt.tf.zeros([1, 1, 1, 1]); // the wrong shape for layer 9: tfjs throws there
    layers.conv_9!.depthwise_conv.filters = bad;
    const input = rt.tf.zeros([256, 256, 3], 'int32');
    const before = rt.tf.memory().numTensors;
    await expect(net.locateFaces(input as never)).rejects.toThrow();
    expect(rt.tf.memory().numTensors).toBe(before);
    layers.conv_9!.depthwise_conv.filters = good;
    for (const t of [bad, input]) t.dispose();
    net.dispose();
  });
});

describe('detectFaces', () => {
  it('reports boxes in the coordinates of the photo it was given, largest first', async () => {
    const photo = await rgb(await samplePhoto(5));
    const faces = await detectFaces(rt, photo);
    expect(faces.length).toBeGreaterThan(1);
    for (const face of faces) {
      expect([face.imageDims.width, face.imageDims.height]).toEqual([photo.width, photo.height]);
      expect(face.box.x + face.box.width).toBeLessThanOrEqual(photo.width + 1);
      expect(face.box.y + face.box.height).toBeLessThanOrEqual(photo.height + 1);
    }
    const areas = faces.map((f) => f.box.area);
    expect(areas).toEqual([...areas].sort((a, b) => b - a));
  });

  it('finds a face that fills the whole frame (through the padded pass)', async () => {
    const crop = await sharp(await faceCrop(1)).metadata();
    const tight = await sharp(await faceCrop(1))
      .extract({
        left: Math.round(crop.width * 0.3),
        top: Math.round(crop.height * 0.25),
        width: Math.round(crop.width * 0.4),
        height: Math.round(crop.height * 0.5),
      })
      .jpeg()
      .toBuffer();
    const faces = await detectFaces(rt, await rgb(tight));
    expect(faces).toHaveLength(1);
  });
});

describe('faceTensor', () => {
  const photo = { width: 4, height: 3, pixels: Uint8Array.from({ length: 36 }, (_, i) => i) };

  it('copies the pixels of a box inside the photo', async () => {
    const t = asTfjs(faceTensor(rt, photo, { x: 1, y: 1, width: 2, height: 2 }));
    expect(t.shape).toEqual([2, 2, 3]);
    expect(Array.from(await t.data())).toEqual([15, 16, 17, 18, 19, 20, 27, 28, 29, 30, 31, 32]);
    t.dispose();
  });

  it('fills the part of the box outside the photo with grey, keeping the box size', async () => {
    const t = asTfjs(faceTensor(rt, photo, { x: -1, y: 2, width: 2, height: 2 }));
    expect(t.shape).toEqual([2, 2, 3]);
    expect(Array.from(await t.data())).toEqual([128, 128, 128, 24, 25, 26, 128, 128, 128, 128, 128, 128]);
    t.dispose();
  });

  it('floors fractional boxes as face-api does', async () => {
    const t = asTfjs(faceTensor(rt, photo, { x: 0.6, y: 0.2, width: 1.9, height: 1.5 }));
    expect(t.shape).toEqual([1, 1, 3]);
    expect(Array.from(await t.data())).toEqual([0, 1, 2]);
    t.dispose();
  });
});
