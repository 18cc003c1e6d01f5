/**
 * The plain face-api pipeline the engine is measured against: SSD MobileNet v1 on the photo downscaled to
 * 640 px, 68 landmarks and descriptors for every face, the largest face kept, one photo after the other on
 * the main thread. Same tfjs wasm backend and models as the engine.
 */
import sharp from 'sharp';
import { asFaceApi, faceApiModelDir, loadRuntime, type Runtime } from '../local/engine/runtime.ts';
import { euclideanDistance } from '../local/engine/score.ts';

async function descriptorOf(rt: Runtime, bytes: Buffer): Promise<number[] | undefined> {
  const { data, info } = await sharp(bytes)
    .autoOrient()
    .resize({ width: 640, height: 640, fit: 'inside', withoutEnlargement: true })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  const tensor = rt.tf.tensor3d(data, [info.height, info.width, 3], 'int32');
  try {
    const faces = await rt.faceapi
      .detectAllFaces(asFaceApi(tensor), new rt.faceapi.SsdMobilenetv1Options({ minConfidence: 0.5 }))
      .withFaceLandmarks()
      .withFaceDescriptors();
    const largest = faces.sort((a, b) => b.detection.box.area - a.detection.box.area)[0];
    return largest ? Array.from(largest.descriptor) : undefined;
  } finally {
    tensor.dispose();
  }
}

/** Distance between the largest faces of two photos, or undefined when either has no face. */
export async function createBaseline(): Promise<(ref: Buffer, auth: Buffer) => Promise<number | undefined>> {
  const rt = await loadRuntime();
  // face-api's own SSD (detectAllFaces uses faceapi.nets.ssdMobilenetv1), not the engine's lean copy.
  await rt.faceapi.nets.ssdMobilenetv1.loadFromDisk(faceApiModelDir());
  return async (ref, auth) => {
    const a = await descriptorOf(rt, ref);
    const b = await descriptorOf(rt, auth);
    return a && b ? euclideanDistance(a, b) : undefined;
  };
}
