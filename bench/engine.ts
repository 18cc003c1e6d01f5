/**
 * Calibration benchmark of the offline face engine.
 *
 *   npm run bench:engine -- --dataset DIR [--id-style] [--baseline] [--limit N]
 *
 * DIR holds photos and pairs.csv (ref,auth,label with label same|different). Prints a readable table on
 * stderr... and stdout, and as its LAST line one JSON object with the figures (rates as fractions 0-1,
 * threshold on the 0-100 score). Replay attacks are built from the dataset's photos: transformed copies of
 * each photo (re-encode, crop, resize, mirror, small rotation, brightness) as auth against it as ref.
 */
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { createFaceEngine } from '../local/engine/engine.ts';
import type { Comparison } from '../local/engine/types.ts';
import { REPLAY_KINDS, type ReplayKind, replayOf } from '../test/helpers/photos.ts';
import { createBaseline } from './engine-baseline.ts';
import { equalErrorRate, percentile, ratesAt, round, type ScoredPair } from './engine-metrics.ts';
import { toIdPhoto } from './id-photo.ts';

const PairRowSchema = z.object({
  ref: z.string().min(1),
  auth: z.string().min(1),
  label: z.enum(['same', 'different']),
});
type PairRow = z.infer<typeof PairRowSchema>;

function parsePairsCsv(text: string): PairRow[] {
  const [header, ...lines] = text.trim().split(/\r?\n/);
  const columns = (header ?? '').split(',').map((c) => c.trim());
  return lines
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      const cells = line.split(',').map((c) => c.trim());
      const row = Object.fromEntries(columns.map((c, k) => [c, cells[k]]));
      const parsed = PairRowSchema.safeParse(row);
      if (!parsed.success) throw new Error(`pairs.csv line ${i + 2}: ${parsed.error.message}`);
      return parsed.data;
    });
}

const { values: args } = parseArgs({
  options: {
    dataset: { type: 'string' },
    'id-style': { type: 'boolean', default: false },
    baseline: { type: 'boolean', default: false },
    /** Runs the (slow) baseline on the first N pairs only; the speed ratio then uses the same N pairs. */
    'baseline-limit': { type: 'string' },
    limit: { type: 'string' },
    /** Writes every comparison (distances, attack signal values) as JSON lines, for calibration. */
    dump: { type: 'string' },
  },
});
if (!args.dataset) {
  console.error('usage: npm run bench:engine -- --dataset DIR [--id-style] [--baseline] [--limit N]');
  process.exit(2);
}
const dir = args.dataset;
const idStyle = args['id-style'];
const say = (line: string) => process.stdout.write(`${line}\n`);
const progress = (line: string) => process.stderr.write(`\r${line}`);

const pairs = parsePairsCsv(await readFile(join(dir, 'pairs.csv'), 'utf8')).slice(
  0,
  args.limit ? Number(args.limit) : undefined,
);
const files = [...new Set(pairs.flatMap((p) => [p.ref, p.auth]))].sort();
const originals = new Map(
  await Promise.all(files.map(async (f) => [f, await readFile(join(dir, f))] as const)),
);

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
    if (found.outcome !== 'judged')
      throw new Error(`${file}: no face to crop an ID photo from (${found.reason})`);
    refs.set(file, await toIdPhoto(bytes, found.ref.box, 150 + ((i++ * 37) % 151)));
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
  }
  progress(`pairs ${i + 1}/${pairs.length}`);
}
process.stderr.write('\n');

let replays = 0;
let replaysDetected = 0;
const missed: string[] = [];
for (const { file, kind, path } of replayFiles) {
  const result = await engine.compare(refOf(file), await readFile(path));
  replays++;
  await dump('replay', `${file}/${kind}`, result);
  const detected =
    result.outcome === 'judged' && result.attackSignals.some((s) => s.name === 'replay' && s.fired);
  if (detected) replaysDetected++;
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
const distances = (label: 'same' | 'different') =>
  results
    .map((r, i) => (r.outcome === 'judged' && pairs[i]!.label === label ? r.distance : undefined))
    .filter((d): d is number => d !== undefined);
const same = distances('same');
const different = distances('different');

say('');
say(`dataset ${dir}${idStyle ? ' (refs as ID photos)' : ''}: ${pairs.length} pairs, ${unjudged} unjudgeable`);
say(`  threshold            ${threshold} (score), EER ${round(eer)} at score ${round(eerThreshold, 2)}`);
say(`  accuracy             ${round(rates.accuracy)}`);
say(`  FMR / FNMR           ${round(rates.fmr)} / ${round(rates.fnmr)}`);
say(`  same distance        max ${round(Math.max(...same), 3)}, p95 ${round(percentile(same, 95), 3)}`);
say(
  `  different distance   min ${round(Math.min(...different), 3)}, p5 ${round(percentile(different, 5), 3)}`,
);
say(
  `  replay detection     ${replaysDetected}/${replays}${missed.length ? ` (missed: ${missed.slice(0, 8).join(', ')})` : ''}`,
);
say(`  BPCER                ${genuineFlagged}/${genuine} genuine pairs flagged as attacks`);
say(
  `  ms per pair          p50 ${Math.round(percentile(pairMs, 50))}, p95 ${Math.round(percentile(pairMs, 95))}`,
);

if (args.baseline) {
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
    fnmr: round(rates.fnmr),
    threshold,
    eer: round(eer),
    replayDetection: round(replays ? replaysDetected / replays : 0),
    bpcer: round(genuine ? genuineFlagged / genuine : 0),
    p50MsPerPair: Math.round(percentile(pairMs, 50)),
    p95MsPerPair: Math.round(percentile(pairMs, 95)),
    peakRssMb: Math.round(peakRssBytes / 2 ** 20),
  }),
);
