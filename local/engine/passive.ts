/**
 * Passive presentation-attack heuristics: the small `antispoof` (128x128 input, "real" score) and `liveness`
 * (32x32 input, "live" score) graph models shipped in @vladmandic/human's models/ folder, fed the aligned
 * face scaled to 0-1 as human does (human/src/face/antispoof.ts and liveness.ts read output[0] of each).
 * They were trained on computer-generated faces and low-resolution replay artefacts: weak signals, used by the
 * engine with conservative thresholds only. Not ISO/IEC 30107-3 presentation-attack detection.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { GraphModel, io, Tensor, Tensor3D } from '@tensorflow/tfjs';
import type { Runtime } from './runtime.ts';

const require = createRequire(import.meta.url);
// human's `exports` map hides package.json; its node entry lives in dist/.
const HUMAN_MODELS = join(dirname(require.resolve('@vladmandic/human')), '..', 'models');

interface ModelJson {
  format?: string;
  generatedBy?: string;
  convertedBy?: string;
  signature?: object;
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: io.WeightsManifestEntry[] }[];
}

/** Reads a graph model from disk into memory (tfjs' own loaders would use fetch). */
async function loadLocalGraphModel(rt: Runtime, name: string): Promise<GraphModel> {
  const json = JSON.parse(await readFile(join(HUMAN_MODELS, `${name}.json`), 'utf8')) as ModelJson;
  const buffers = await Promise.all(
    json.weightsManifest.flatMap((group) => group.paths.map((p) => readFile(join(HUMAN_MODELS, p)))),
  );
  const weights = Buffer.concat(buffers);
  const artifacts: io.ModelArtifacts = {
    modelTopology: json.modelTopology,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
    signature: json.signature,
    weightSpecs: json.weightsManifest.flatMap((group) => group.weights),
    weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
  };
  return rt.tf.loadGraphModel({ load: async () => artifacts });
}

let models: Promise<{ antispoof: GraphModel; liveness: GraphModel }> | undefined;

function loadModels(rt: Runtime) {
  models ??= Promise.all([loadLocalGraphModel(rt, 'antispoof'), loadLocalGraphModel(rt, 'liveness')]).then(
    ([antispoof, liveness]) => ({ antispoof, liveness }),
  );
  return models;
}

async function predict(rt: Runtime, model: GraphModel, face: Tensor3D): Promise<number> {
  const shape = model.inputs[0]?.shape ?? [];
  const size: [number, number] = [shape[1] ?? 0, shape[2] ?? 0];
  const input = rt.tf.tidy(() =>
    rt.tf.image.resizeBilinear(rt.tf.div<Tensor3D>(rt.tf.cast(face, 'float32'), 255), size).expandDims(0),
  );
  const output = model.execute(input) as Tensor;
  const value = (await output.data())[0] ?? 0;
  input.dispose();
  output.dispose();
  return Math.round(value * 1000) / 1000;
}

export async function passiveScores(
  rt: Runtime,
  face: Tensor3D,
): Promise<{ antispoof: number; liveness: number }> {
  const { antispoof, liveness } = await loadModels(rt);
  return { antispoof: await predict(rt, antispoof, face), liveness: await predict(rt, liveness, face) };
}

/** Loads the passive models ahead of the first photo (worker start-up). */
export async function preloadPassive(rt: Runtime): Promise<void> {
  await loadModels(rt);
}
