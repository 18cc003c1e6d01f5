/**
 * Calibration benchmark of the offline face engine.
 *
 *   npm run bench:engine -- --dataset DIR [--id-style] [--demo] [--plot FILE.svg] [--limit N]
 *                           [--baseline] [--baseline-limit N] [--dump FILE.jsonl]
 *
 * DIR holds photos and pairs.csv (ref,auth,label with label same|different). Prints a readable table on
 * stdout, and as its LAST line one JSON object with the figures (rates as fractions 0-1, threshold on the
 * 0-100 score). Reports FMR/FNMR at the configured threshold (with exact 95% confidence intervals), FNMR at FMR 0.001 and 0.0001, the EER, and
 * held-out rates of leave-one-identity-out folds (identities = photos joined by same-person pairs); --plot
 * writes the DET curve. Replay attacks are built from the photos: transformed copies of each ref (re-encode,
 * crop, resize, mirror, small rotation, brightness) as auth against it as ref.
 */
import { existsSync } from 'node:fs';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { REPLAY_MIN_VALUE } from '../local/engine/calibration.ts';
import { createFaceEngine } from '../local/engine/engine.ts';
import { distanceForScore } from '../local/engine/score.ts';
import type { Comparison, Judged } from '../local/engine/types.ts';
import { faceCrop, REPLAY_KINDS, type ReplayKind, replayOf, SAMPLE_FACES } from '../test/helpers/photos.ts';
import { csvRows, readIdentities } from './dataset-csv.ts';
import { detSvg } from './engine-det.ts';
import {
  binomialInterval,
  countWithInterval,
  detCurve,
  equalErrorRate,
  type FoldPair,
  fnmrAtFmr,
  identitiesFromPairs,
  leaveOneIdentityOut,
  percentile,
  ratesAt,
  round,
  type ScoredPair,
} from './engine-metrics.ts';
import { toIdPhoto } from './id-photo.ts';

const PairRowSchema = z.object({
  ref: z.string().min(1),
  auth: z.string().min(1),
  label: z.enum(['same', 'different']),
});
type PairRow = z.infer<typeof PairRowSchema>;

function parsePairsCsv(text: string): PairRow[] {
  return csvRows(text).map((row, i) => {
    const parsed = PairRowSchema.safeParse(row);
    if (!parsed.success) throw new Error(`pairs.csv line ${i + 2}: ${parsed.error.message}`);
    return parsed.data;
  });
}

const USAGE =
  'usage: npm run bench:engine -- --dataset DIR [--id-style] [--demo] [--plot FILE.svg] [--limit N] ' +
  '[--baseline] [--baseline-limit N] [--dump FILE.jsonl] [--help]';

function fail(message: string): never {
  console.error(`bench:engine: ${message}\n${USAGE}`);
  process.exit(2);
}
function parseCommandLine() {
  return parseArgs({
    options: {
      dataset: { type: 'string' },
      /** Every ref (ID photo side) becomes an ID-style photo: tight crop, 150-300 px wide, grey, JPEG q50. */
      'id-style': { type: 'boolean', default: false },
      /** Adds the faces of face-api's demo photos (22 people) and their pairs with the dataset's photos. */
      demo: { type: 'boolean', default: false },
      /** Writes the DET curve as an SVG file. */
      plot: { type: 'string' },
      baseline: { type: 'boolean', default: false },
      /** Runs the (slow) baseline on the first N pairs only; the speed ratio then uses the same N pairs. */
      'baseline-limit': { type: 'string' },
      limit: { type: 'string' },
      /** Writes every comparison (distances, attack signal values) as JSON lines, for calibration. */
      dump: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  }).values;
}
let args: ReturnType<typeof parseCommandLine>;
try {
  args = parseCommandLine();
} catch (err) {
  fail(err instanceof Error ? err.message : String(err));
}

if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
if (!args.dataset) fail('--dataset is required: a folder with photos and pairs.csv (ref,auth,label)');
const dir = args.dataset;
const pairsCsv = join(dir, 'pairs.csv');
if (!existsSync(dir)) fail(`the dataset folder ${dir} does not exist`);
if (!existsSync(pairsCsv))
  fail(`${pairsCsv} does not exist: the dataset folder needs pairs.csv (ref,auth,label)`);
for (const [flag, value] of [
  ['--limit', args.limit],
  ['--baseline-limit', args['baseline-limit']],
] as const) {
  if (value !== undefined && !(Number.isInteger(Number(value)) && Number(value) > 0))
    fail(`${flag} must be a positive integer, got "${value}"`);
}
const idStyle = args['id-style'];
const say = (line: string) => process.stdout.write(`${line}\n`);
const progress = (line: string) => process.stderr.write(`\r${line}`);

type BenchPair = PairRow & { set: 'dataset' | 'demo' | 'cross' };
const allDatasetPairs = parsePairsCsv(await readFile(pairsCsv, 'utf8'));
const datasetPairs: BenchPair[] = allDatasetPairs
  .slice(0, args.limit ? Number(args.limit) : undefined)
  .map((p) => ({ ...p, set: 'dataset' }));
// Who is who, for the identity folds: identities.csv when the dataset has one, else the same-person pairs of
// the whole pairs.csv (not only the --limit pairs measured, which would split people apart).
const datasetIdentity =
  (await readIdentities(dir).catch((err: Error) => fail(err.message))) ??
  identitiesFromPairs(allDatasetPairs);
const datasetFiles = [...new Set(datasetPairs.flatMap((p) => [p.ref, p.auth]))].sort();
const originals = new Map<string, Buffer>();
for (const f of datasetFiles) {
  const path = join(dir, f);
  if (!existsSync(path)) fail(`pairs.csv names ${f}, which is not in ${dir}`);
  originals.set(f, await readFile(path));
}
// --demo: the 22 faces of face-api's six demo photos, all different people, cropped with a margin. Their
// pairs with each other (231) and with every dataset photo (cross-set) are different-people pairs.
const pairs: BenchPair[] = [...datasetPairs];
if (args.demo) {
  const demoFiles: string[] = [];
  for (const n of [1, 2, 3, 4, 5, 6] as const) {
    for (let i = 0; i < SAMPLE_FACES[n].length; i++) {
      const name = `face-api:sample${n}#${i}`;
      originals.set(name, await faceCrop(n, i));
      demoFiles.push(name);
    }
  }
  for (const [i, a] of demoFiles.entries()) {
    for (const b of demoFiles.slice(i + 1)) pairs.push({ ref: a, auth: b, label: 'different', set: 'demo' });
    for (const f of datasetFiles) pairs.push({ ref: f, auth: a, label: 'different', set: 'cross' });
  }
}
const files = [...originals.keys()];

const loadStartMs = performance.now();
const engine = await createFaceEngine();
const loadMs = performance.now() - loadStartMs;
say(`engine ready in ${Math.round(loadMs)} ms (${engine.options.workers} workers)`);

// --id-style: every ref becomes an ID photo, cropped around the face the engine finds in it.
const refs = new Map<string, Buffer>(originals);
if (idStyle) {
  let i = 0;
  for (const [file, bytes] of originals) {
    const found = await engine.compare(bytes, bytes);
    // A photo the engine cannot judge (a demo face turned to profile) has no face to crop: it stays as it is,
    // and its pairs count as unjudgeable, as they would anyway.
    if (found.outcome !== 'judged') say(`  no ID-style copy of ${file} (${found.reason}): kept as it is`);
    else refs.set(file, await toIdPhoto(bytes, found.ref.box, 150 + ((i++ * 37) % 151)));
  }
}
const refOf = (file: string) => refs.get(file)!;
const authOf = (file: string) => originals.get(file)!;

if (args.dump) await writeFile(args.dump, '');
async function dump(kind: string, label: string, result: Comparison): Promise<void> {
  if (!args.dump) return;
  const fields =
    result.outcome === 'judged'
      ? {
          distance: result.distance,
          score: result.score,
          signals: Object.fromEntries(result.attackSignals.map((s) => [s.name, s.value])),
        }
      : { reason: result.reason, photo: result.photo };
  await appendFile(args.dump, `${JSON.stringify({ kind, label, ...fields })}\n`);
}

// The replayed copies are made before the measured window and kept on disk: making them decodes the full-size
// originals on this thread, which is the benchmark's work, not the engine's.
const replayDir = await mkdtemp(join(tmpdir(), 'bench-engine-replays-'));
const replayFiles: { file: string; kind: ReplayKind; path: string }[] = [];
for (const file of files) {
  for (const kind of REPLAY_KINDS) {
    const path = join(replayDir, `${replayFiles.length}.img`);
    await writeFile(path, await replayOf(refOf(file), kind));
    replayFiles.push({ file, kind, path });
  }
  progress(`replayed copies ${replayFiles.length}/${files.length * REPLAY_KINDS.length}`);
}
process.stderr.write('\n');

// Peak RSS of the whole process (main thread and engine workers) while the engine judges pairs and replays.
let peakRssBytes = process.memoryUsage().rss;
const rssTimer = setInterval(() => {
  peakRssBytes = Math.max(peakRssBytes, process.memoryUsage().rss);
}, 50);

const scored: ScoredPair[] = [];
const pairMs: number[] = [];
let unjudged = 0;
let genuineFlagged = 0;
let genuine = 0;
const results: Comparison[] = [];
/** The replay signal's value on genuine same-person pairs and on replays: how far apart the two sit. */
const genuineReplayValues: number[] = [];
const replayValues: number[] = [];
const mean = (values: readonly number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
const replayValue = (r: Judged) => r.attackSignals.find((s) => s.name === 'replay')!.value;
for (const [i, pair] of pairs.entries()) {
  const started = performance.now();
  const result = await engine.compare(refOf(pair.ref), authOf(pair.auth));
  pairMs.push(performance.now() - started);
  results.push(result);
  await dump('pair', `${pair.ref}/${pair.auth}/${pair.label}`, result);
  if (result.outcome !== 'judged') unjudged++;
  scored.push({ label: pair.label, score: result.outcome === 'judged' ? result.score : undefined });
  if (pair.label === 'same') {
    genuine++;
    if (result.outcome === 'judged' && result.faceAttack) genuineFlagged++;
    if (result.outcome === 'judged') genuineReplayValues.push(replayValue(result));
  }
  progress(`pairs ${i + 1}/${pairs.length}`);
}
process.stderr.write('\n');

// A replay the engine refuses as unjudgeable (its photo fails the quality gate) cannot pass either; like
// ISO/IEC 30107-3's non-responses, it is counted apart from the judged replays, not as detected or missed.
let replays = 0;
let replaysDetected = 0;
let replaysRefused = 0;
const missed: string[] = [];
for (const { file, kind, path } of replayFiles) {
  const result = await engine.compare(refOf(file), await readFile(path));
  replays++;
  await dump('replay', `${file}/${kind}`, result);
  if (result.outcome === 'judged') replayValues.push(replayValue(result));
  if (result.outcome !== 'judged') replaysRefused++;
  else if (result.attackSignals.some((s) => s.name === 'replay' && s.fired)) replaysDetected++;
  else missed.push(`${file}/${kind}`);
  progress(`replays ${replays}/${replayFiles.length}`);
}
process.stderr.write('\n');
clearInterval(rssTimer);
peakRssBytes = Math.max(peakRssBytes, process.memoryUsage().rss);
await engine.close();
await rm(replayDir, { recursive: true, force: true });

const threshold = engine.options.threshold;
const rates = ratesAt(scored, threshold);
const { eer, threshold: eerThreshold } = equalErrorRate(scored);
const at1e3 = fnmrAtFmr(scored, 0.001);
const at1e4 = fnmrAtFmr(scored, 0.0001);
const identityOf = (file: string) => datasetIdentity.get(file) ?? file; // a demo face is its own person
const foldPairs: FoldPair[] = pairs.map((p, i) => ({
  ...scored[i]!,
  identities: [identityOf(p.ref), identityOf(p.auth)] as const,
}));
const folds = leaveOneIdentityOut(foldPairs, 0.001, 'bound95');
const distances = (label: 'same' | 'different') =>
  results
    .map((r, i) => (r.outcome === 'judged' && pairs[i]!.label === label ? r.distance : undefined))
    .filter((d): d is number => d !== undefined);
const same = distances('same');
const different = distances('different');
const counts = (label: 'same' | 'different') => scored.filter((p) => p.label === label).length;
const atTarget = (point: typeof at1e3) =>
  `${round(point.fnmr)} (score >= ${round(point.threshold, 2)}, measured FMR ${round(point.fmr)}` +
  `${point.resolved ? '' : `; ${point.impostorPairs} different-people pairs cannot resolve ${point.targetFmr}: no false match seen`})`;

say('');
say(
  `dataset ${dir}${idStyle ? ' (refs as ID photos)' : ''}${args.demo ? ' + face-api demo faces' : ''}: ` +
    `${pairs.length} pairs (${counts('same')} same, ${counts('different')} different), ${unjudged} unjudgeable`,
);
say(
  `  threshold            score ${threshold} = descriptor distance ${round(distanceForScore(threshold), 3)}`,
);
say(
  `  FMR / FNMR           ${round(rates.fmr)} / ${round(rates.fnmr)} at the threshold (accuracy ${round(rates.accuracy)}; ` +
    `${countWithInterval(rates.falseMatches, rates.impostorPairs)}; ${countWithInterval(rates.falseNonMatches, rates.genuinePairs)})`,
);
for (const set of ['demo', 'cross'] as const) {
  const subset = scored.filter((_, i) => pairs[i]!.set === set);
  if (subset.length === 0) continue;
  const passed = subset.filter((p) => p.score !== undefined && p.score >= threshold).length;
  const what = set === 'demo' ? 'demo faces with each other' : 'demo faces x dataset photos';
  say(
    `    ${what.padEnd(28)} FMR ${round(passed / subset.length)} (${countWithInterval(passed, subset.length)})`,
  );
}
say(`  FNMR at FMR 0.001    ${atTarget(at1e3)}`);
say(`  FNMR at FMR 0.0001   ${atTarget(at1e4)}`);
say(`  EER                  ${round(eer)} at score ${round(eerThreshold, 2)}`);
say(
  `  held-out folds       FMR ${round(folds.fmr)} (${folds.falseMatches}/${folds.impostorPairs}), ` +
    `FNMR ${folds.genuinePairs ? round(folds.fnmr) : 'n/a'} (${folds.falseNonMatches}/${folds.genuinePairs}): leave-one-identity-out over ` +
    `${folds.folds} identities, threshold fitted so that the others' pairs show FMR <= 0.001 with 95% confidence ` +
    `(score ${round(Math.min(...folds.thresholds), 2)}-${round(Math.max(...folds.thresholds), 2)})` +
    (folds.unresolvedFolds
      ? `; ${folds.unresolvedFolds} of them had too few different-people pairs to show it (no false match allowed there, ` +
        'so the threshold sits just above the closest such pair, wherever that is: bench:engine-folds -- --demo --pooled has the pairs to fit it)'
      : ''),
);
if (same.length)
  say(`  same distance        max ${round(Math.max(...same), 3)}, p95 ${round(percentile(same, 95), 3)}`);
if (different.length)
  say(
    `  different distance   min ${round(Math.min(...different), 3)}, p5 ${round(percentile(different, 5), 3)}`,
  );
const judgedReplays = replays - replaysRefused;
say(
  `  replay detection     ${replaysDetected}/${judgedReplays}${missed.length ? ` (missed: ${missed.slice(0, 8).join(', ')})` : ''}` +
    (replaysRefused
      ? `; ${replaysRefused} more replays refused as unjudgeable (a photo failed the quality gate: not passed either)`
      : ''),
);
say(`  BPCER                ${genuineFlagged}/${genuine} genuine pairs flagged as attacks`);
if (genuineReplayValues.length && replayValues.length)
  say(
    `  replay signal        genuine pairs max ${round(Math.max(...genuineReplayValues), 3)} ` +
      `(mean ${round(mean(genuineReplayValues), 3)}), replays min ${round(Math.min(...replayValues), 3)} ` +
      `(mean ${round(mean(replayValues), 3)}), fires at ${REPLAY_MIN_VALUE}`,
  );
say(
  `  ms per pair          p50 ${Math.round(percentile(pairMs, 50))}, p95 ${Math.round(percentile(pairMs, 95))}`,
);
say(`  peak RSS             ${Math.round(peakRssBytes / 2 ** 20)} MB`);

if (args.plot) {
  const name = `${basename(dir)}${idStyle ? ' (ID-style refs)' : ''}${args.demo ? ' + demo faces' : ''}`;
  const svg = detSvg(
    [
      {
        name,
        points: detCurve(scored),
        operatingPoint: { ...rates, label: `threshold ${threshold}` },
      },
    ],
    `DET curve of the offline face engine: ${name}`,
    `${counts('same')} same-person and ${counts('different')} different-people pairs (npm run bench:engine). ` +
      'Rates of 0 are drawn at the axis minimum (0.0001). Unjudgeable pairs count as non-matches.',
  );
  await writeFile(args.plot, svg);
  say(`  DET curve            written to ${args.plot}`);
}

if (args.baseline) {
  // Imported only here: the baseline runs face-api on this thread, and loading tfjs and face-api costs this
  // process about 100 MB of RSS that the engine itself (its models live in its workers) never needs.
  const { createBaseline } = await import('./engine-baseline.ts');
  const baseline = await createBaseline();
  const baseMs: number[] = [];
  const baseScored: { label: 'same' | 'different'; distance: number | undefined }[] = [];
  const basePairs = pairs.slice(0, args['baseline-limit'] ? Number(args['baseline-limit']) : undefined);
  for (const [i, pair] of basePairs.entries()) {
    const started = performance.now();
    const distance = await baseline(refOf(pair.ref), authOf(pair.auth));
    baseMs.push(performance.now() - started);
    baseScored.push({ label: pair.label, distance });
    progress(`baseline ${i + 1}/${basePairs.length}`);
  }
  process.stderr.write('\n');
  const baseCorrect = baseScored.filter(
    (p) => p.distance !== undefined && p.distance < 0.6 === (p.label === 'same'),
  ).length;
  const engineMs = percentile(pairMs.slice(0, basePairs.length), 50);
  const ratio = percentile(baseMs, 50) / engineMs;
  say(`  baseline (SSD 640 px, sequential) on the first ${basePairs.length} pairs:`);
  say(
    `    p50 ${Math.round(percentile(baseMs, 50))} ms per pair vs engine ${Math.round(engineMs)} ms on the same pairs`,
  );
  say(
    `    engine ${round(ratio, 2)}x faster; baseline accuracy at distance 0.6: ${round(baseCorrect / basePairs.length)}`,
  );
}

say(
  JSON.stringify({
    pairs: pairs.length,
    accuracy: round(rates.accuracy),
    fmr: round(rates.fmr),
    fmrUpper95: round(binomialInterval(rates.falseMatches, rates.impostorPairs).upper),
    fnmr: round(rates.fnmr),
    fnmrUpper95: round(binomialInterval(rates.falseNonMatches, rates.genuinePairs).upper),
    threshold,
    thresholdDistance: round(distanceForScore(threshold)),
    fnmrAtFmr1e3: round(at1e3.fnmr),
    fnmrAtFmr1e4: round(at1e4.fnmr),
    eer: round(eer),
    heldOutFmr: round(folds.fmr),
    heldOutFnmr: round(folds.fnmr),
    replayDetection: round(judgedReplays ? replaysDetected / judgedReplays : 0),
    replaysRefused,
    bpcer: round(genuine ? genuineFlagged / genuine : 0),
    p50MsPerPair: Math.round(percentile(pairMs, 50)),
    p95MsPerPair: Math.round(percentile(pairMs, 95)),
    peakRssMb: Math.round(peakRssBytes / 2 ** 20),
  }),
);
