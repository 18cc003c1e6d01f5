/**
 * Which crop the descriptor should see: the engine's alternatives measured on the same photos.
 *
 *   npm run bench:engine-variants -- --dataset DIR [--id-style]
 *
 * Every photo of DIR (identities.csv) and face-api's 22 demo faces is described several ways, and EVERY pair
 * is scored per way (with --id-style: an ID-style copy of each photo against every other photo, as
 * bench:engine-folds does). Ways: the detector (the engine's tiny-detector cascade, or SSD MobileNet at
 * 640 px as face-api's own pipeline) times the crop:
 * - `upright`: face-api's dlib-style crop as face-api cuts it (an upright box);
 * - `levelled`: the same square turned so the eye line is level (chip.ts);
 * - `relanded`: levelled, with the landmarks placed again on the face turned upright (the engine does this for
 *   a head rolled by 10 degrees or more, `levelled` below that);
 * - `relanded+flip`: the mean of the descriptors of that crop and of its mirror image (test-time flip);
 * - `dlib chip`: dlib's own chip (local/engine/dlib-chip.ts: 150 px, padding 0.25, fitted to dlib's mean face) on the
 *   relanded landmarks.
 * Printed per way: false matches and non-matches at distance 0.55 (score 50), FNMR where FMR <= 0.001, the
 * separation d' = (mean different - mean same) / sqrt((sd same^2 + sd different^2) / 2), and the FMR at 0.55
 * of a normal fitted to the different-people distances (smooth: it does not hang on the closest pair).
 * Also: the mean distance between each demo face and the same photo turned by 25 degrees either way.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { FaceDetection, FaceLandmarks68 } from '@vladmandic/face-api/dist/face-api.node-wasm.js';
import sharp from 'sharp';
import { dlibSquare, fromSquare, type RotatedSquare, warpSquare } from '../local/engine/chip.ts';
import { type DecodedPhoto, decodePhoto } from '../local/engine/decode.ts';
import { detectFaces, faceTensor } from '../local/engine/detect.ts';
import { dlibChipSquare } from '../local/engine/dlib-chip.ts';
import { asFaceApi, loadRuntime } from '../local/engine/runtime.ts';
import { distanceForScore, euclideanDistance, scoreFromDistance } from '../local/engine/score.ts';
import { faceCrop, SAMPLE_FACES } from '../test/helpers/photos.ts';
import { fnmrAtFmr, round } from './engine-metrics.ts';
import { toIdPhoto } from './id-photo.ts';

const USAGE = 'usage: npm run bench:engine-variants -- --dataset DIR [--id-style] [--help]';
const args = parseArgs({
  options: {
    dataset: { type: 'string' },
    'id-style': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
}).values;
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
if (!args.dataset || !existsSync(join(args.dataset, 'identities.csv'))) {
  console.error(`bench:engine-variants: --dataset must be a folder with identities.csv\n${USAGE}`);
  process.exit(2);
}
const dir = args.dataset;

const photos: { name: string; identity: string; bytes: Buffer }[] = [];
const rows = (await readFile(join(dir, 'identities.csv'), 'utf8')).trim().split(/\r?\n/).slice(1);
for (const row of rows) {
  const [file, identity] = row.split(',').map((c) => c.trim());
  if (file && identity) photos.push({ name: file, identity, bytes: await readFile(join(dir, file)) });
}
for (const n of [1, 2, 3, 4, 5, 6] as const)
  for (let i = 0; i < SAMPLE_FACES[n].length; i++) {
    const name = `face-api:sample${n}#${i}`;
    photos.push({ name, identity: name, bytes: await faceCrop(n, i) });
  }

sharp.cache(false);
const rt = await loadRuntime();
const ssdNet = await rt.ssdMobilenetv1();
const { faceapi, tf } = rt;
const CROPS = ['upright', 'levelled', 'relanded', 'relanded+flip', 'dlib chip'] as const;
const DETECTORS = ['tiny', 'ssd640'] as const;
type Way = `${(typeof DETECTORS)[number]} ${(typeof CROPS)[number]}`;
type Descriptors = Partial<Record<Way, number[]>> & {
  box?: { x: number; y: number; width: number; height: number };
};

async function describe150(pixels: Uint8Array): Promise<number[]> {
  const t = asFaceApi(tf.tensor3d(pixels, [150, 150, 3], 'int32'));
  try {
    return Array.from((await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(t)) as Float32Array);
  } finally {
    t.dispose();
  }
}

async function ssd640(img: DecodedPhoto): Promise<FaceDetection | undefined> {
  const { data, info } = await sharp(img.pixels, {
    raw: { width: img.width, height: img.height, channels: 3 },
  })
    .resize({ width: 640, height: 640, fit: 'inside', withoutEnlargement: true })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const t = tf.tensor3d(data, [info.height, info.width, 3], 'int32');
  const s = img.width / info.width;
  try {
    const found = await ssdNet.locateFaces(
      asFaceApi(t),
      new faceapi.SsdMobilenetv1Options({ minConfidence: 0.5 }),
    );
    const d = found.sort((a, b) => b.box.area - a.box.area)[0];
    if (!d) return undefined;
    const rect = new faceapi.Rect(
      (d.box.x * s) / img.width,
      (d.box.y * s) / img.height,
      (d.box.width * s) / img.width,
      (d.box.height * s) / img.height,
    );
    return new faceapi.FaceDetection(d.score, rect, { width: img.width, height: img.height });
  } finally {
    t.dispose();
  }
}

async function describeAll(bytes: Buffer): Promise<Descriptors> {
  const img = await decodePhoto(bytes, 1024);
  if (!img.ok) return {};
  const out: Descriptors = {};
  for (const detector of DETECTORS) {
    const det = detector === 'tiny' ? (await detectFaces(rt, img))[0] : await ssd640(img);
    if (!det) continue;
    const crop = faceTensor(rt, img, det.box);
    const lm = (await faceapi.nets.faceLandmark68Net.detectLandmarks(crop)) as FaceLandmarks68;
    crop.dispose();
    const points = faceapi.extendWithFaceLandmarks(faceapi.extendWithFaceDetection({}, det), lm).landmarks
      .positions;
    out[`${detector} upright`] = await describe150(warpSquare(img, dlibSquare(points, false), 150));
    const levelled = dlibSquare(points, true);
    out[`${detector} levelled`] = await describe150(warpSquare(img, levelled, 150));
    const b = det.box;
    const upright: RotatedSquare = {
      centre: { x: b.x + b.width / 2, y: b.y + b.height / 2 },
      side: Math.max(b.width, b.height),
      angle: levelled.angle,
      anchorX: 0.5,
      anchorY: 0.5,
    };
    const t = asFaceApi(tf.tensor3d(warpSquare(img, upright, 160), [160, 160, 3], 'int32'));
    const again = (await faceapi.nets.faceLandmark68Net.detectLandmarks(t)) as FaceLandmarks68;
    t.dispose();
    const relandedPoints = again.positions.map((p) => fromSquare(upright, 160, p));
    const chip = dlibSquare(relandedPoints, true);
    const relanded = await describe150(warpSquare(img, chip, 150));
    const mirrored = await describe150(warpSquare(img, chip, 150, true));
    out[`${detector} relanded`] = relanded;
    out[`${detector} relanded+flip`] = relanded.map((v, i) => (v + mirrored[i]!) / 2);
    out[`${detector} dlib chip`] = await describe150(warpSquare(img, dlibChipSquare(relandedPoints), 150));
    if (detector === 'tiny')
      out.box = {
        x: b.x * img.scale,
        y: b.y * img.scale,
        width: b.width * img.scale,
        height: b.height * img.scale,
      };
  }
  return out;
}

const plain: Descriptors[] = [];
const refs: Descriptors[] = [];
const turned: Descriptors[][] = [];
for (const [k, p] of photos.entries()) {
  const d = await describeAll(p.bytes);
  plain.push(d);
  if (args['id-style'])
    refs.push(d.box ? await describeAll(await toIdPhoto(p.bytes, d.box, 150 + ((k * 37) % 151))) : {});
  if (p.name.startsWith('face-api:'))
    turned.push(
      await Promise.all(
        [-25, 25].map(async (deg) =>
          describeAll(
            await sharp(p.bytes).rotate(deg, { background: '#808080' }).jpeg({ quality: 92 }).toBuffer(),
          ),
        ),
      ).then((r) => [d, ...r]),
    );
  process.stderr.write(`\rphotos ${k + 1}/${photos.length}`);
}
process.stderr.write('\n');

const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
const sd = (v: number[]) => Math.sqrt(mean(v.map((x) => (x - mean(v)) ** 2)));
/** Standard normal CDF (Abramowitz-Stegun 7.1.26 on erf). */
function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

const midpoint = distanceForScore(50);
console.log(
  `${photos.length} photos (${dir} + face-api demo faces)${args['id-style'] ? ', ID-style copy vs every other photo' : ', every pair'}; distance ${midpoint} = score 50`,
);
console.log(
  "way                       false matches  non-matches  FNMR@FMR0.001  d'     normal FMR@0.55  turned 25deg",
);
for (const detector of DETECTORS)
  for (const crop of CROPS) {
    const way: Way = `${detector} ${crop}`;
    const pairs: { label: 'same' | 'different'; score: number | undefined; distance?: number }[] = [];
    const add = (a: number, b: number, da: Descriptors, db: Descriptors) => {
      const x = da[way];
      const y = db[way];
      const distance = x && y ? euclideanDistance(x, y) : undefined;
      pairs.push({
        label: photos[a]!.identity === photos[b]!.identity ? 'same' : 'different',
        score: distance === undefined ? undefined : scoreFromDistance(distance),
        distance,
      });
    };
    if (args['id-style']) {
      for (let a = 0; a < photos.length; a++)
        for (let b = 0; b < photos.length; b++) if (a !== b) add(a, b, refs[a]!, plain[b]!);
    } else {
      for (let a = 0; a < photos.length; a++)
        for (let b = a + 1; b < photos.length; b++) add(a, b, plain[a]!, plain[b]!);
    }
    const same = pairs.filter((p) => p.label === 'same');
    const different = pairs.filter((p) => p.label === 'different');
    const ds = same.flatMap((p) => (p.distance === undefined ? [] : [p.distance]));
    const dd = different.flatMap((p) => (p.distance === undefined ? [] : [p.distance]));
    const fm = dd.filter((d) => d < midpoint).length;
    const fnm = same.filter((p) => p.distance === undefined || p.distance >= midpoint).length;
    const dPrime = (mean(dd) - mean(ds)) / Math.sqrt((sd(ds) ** 2 + sd(dd) ** 2) / 2);
    const normalFmr = normalCdf((midpoint - mean(dd)) / sd(dd));
    const roll = turned.flatMap(([up, ...rest]) =>
      rest.flatMap((r) => (up?.[way] && r[way] ? [euclideanDistance(up[way]!, r[way]!)] : [])),
    );
    console.log(
      `${way.padEnd(26)}${`${fm}/${different.length}`.padEnd(15)}${`${fnm}/${same.length}`.padEnd(13)}${String(round(fnmrAtFmr(pairs, 0.001).fnmr, 3)).padEnd(15)}${String(round(dPrime, 2)).padEnd(7)}${String(round(normalFmr, 5)).padEnd(17)}${round(mean(roll), 3)} (${roll.length})`,
    );
  }
