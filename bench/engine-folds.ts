/**
 * Calibration check of the engine's match score on people the threshold never saw.
 *
 *   npm run bench:engine-folds -- --dataset DIR [--demo] [--id-style | --pooled] [--plot FILE.svg]
 *
 * Every photo is analysed once, exactly as the engine analyses it (analyse.ts, same settings), and EVERY pair
 * of photos is scored (not only pairs.csv's): same identity = same person. Identities come from
 * DIR/identities.csv (file,identity) when present, else from pairs.csv's same-person pairs. --demo adds the
 * 22 faces of face-api's demo photos (22 more people); --id-style scores an ID-style copy of each photo (tight
 * crop, 150-300 px, grey, JPEG q50) against every other photo; --pooled scores both kinds of pairs in one set
 * (every labelled photo, plain and ID-style, in one calibration, as issue 15 describes it). Prints FMR/FNMR
 * at the default threshold (with their exact 95% confidence intervals: how far a count of a few pairs pins
 * the rate down), FNMR
 * at FMR 0.001 and 0.0001, the EER, leave-one-identity-out held-out rates, and the distance where a normal
 * fitted to all different-people distances puts FMR 0.001 and 0.0001 (a smooth estimate that does not hang
 * on the few closest pairs). Last line: the figures as JSON. Speed and memory are bench:engine's job.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { analysePhoto } from '../local/engine/analyse.ts';
import { DEFAULT_THRESHOLD } from '../local/engine/calibration.ts';
import type { AnalyseSettings } from '../local/engine/messages.ts';
import { FaceEngineOptionsSchema } from '../local/engine/options.ts';
import { loadRuntime } from '../local/engine/runtime.ts';
import { distanceForScore, euclideanDistance, scoreFromDistance } from '../local/engine/score.ts';
import type { FaceBox } from '../local/engine/types.ts';
import { faceCrop, SAMPLE_FACES } from '../test/helpers/photos.ts';
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
  ratesAt,
  round,
} from './engine-metrics.ts';
import { toIdPhoto } from './id-photo.ts';

const USAGE =
  'usage: npm run bench:engine-folds -- --dataset DIR [--demo] [--id-style | --pooled] [--plot FILE.svg] [--help]';
function fail(message: string): never {
  console.error(`bench:engine-folds: ${message}\n${USAGE}`);
  process.exit(2);
}
function parseCommandLine() {
  return parseArgs({
    options: {
      dataset: { type: 'string' },
      demo: { type: 'boolean', default: false },
      'id-style': { type: 'boolean', default: false },
      pooled: { type: 'boolean', default: false },
      plot: { type: 'string' },
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
if (args['id-style'] && args.pooled)
  fail('--pooled already holds the ID-style pairs: give one of --id-style and --pooled');
const idCopies = args['id-style'] || args.pooled;
if (!args.dataset) fail('--dataset is required: a folder with photos and identities.csv or pairs.csv');
const dir = args.dataset;
if (!existsSync(dir)) fail(`the dataset folder ${dir} does not exist`);
const say = (line: string) => process.stdout.write(`${line}\n`);

/** file -> identity */
const identityOf = new Map<string, string>();
const listed = await readIdentities(dir).catch((err: Error) => fail(err.message));
if (listed) {
  for (const [file, identity] of listed) identityOf.set(file, identity);
} else if (existsSync(join(dir, 'pairs.csv'))) {
  const rows = csvRows(await readFile(join(dir, 'pairs.csv'), 'utf8')).map((r) => ({
    ref: r.ref ?? '',
    auth: r.auth ?? '',
    label: r.label === 'same' ? ('same' as const) : ('different' as const),
  }));
  for (const [file, identity] of identitiesFromPairs(rows)) identityOf.set(file, identity);
} else {
  fail(`${dir} has neither identities.csv (file,identity) nor pairs.csv (ref,auth,label)`);
}

const photos: { name: string; identity: string; bytes: Buffer }[] = [];
for (const [file, identity] of identityOf) {
  const path = join(dir, file);
  if (!existsSync(path)) fail(`${file} is listed but not in ${dir}`);
  photos.push({ name: file, identity, bytes: await readFile(path) });
}
if (args.demo) {
  for (const n of [1, 2, 3, 4, 5, 6] as const) {
    for (let i = 0; i < SAMPLE_FACES[n].length; i++) {
      const name = `face-api:sample${n}#${i}`;
      photos.push({ name, identity: name, bytes: await faceCrop(n, i) });
    }
  }
}

sharp.cache(false);
const rt = await loadRuntime();
const defaults = FaceEngineOptionsSchema.parse({});
const settings: AnalyseSettings = {
  detectMaxSide: defaults.detectMaxSide,
  minFaceSize: defaults.minFaceSize,
  passiveSignals: false,
};
/** `source`: the photo it was made from (an ID-style copy is never paired with its own photo). */
type Described = {
  name: string;
  source: string;
  identity: string;
  descriptor?: number[];
  box?: FaceBox;
  reason?: string;
};
async function describe(name: string, source: string, identity: string, bytes: Buffer): Promise<Described> {
  const a = await analysePhoto(rt, bytes, settings);
  return a.ok
    ? { name, source, identity, descriptor: a.descriptor, box: a.box }
    : { name, source, identity, reason: a.reason };
}
const plain: Described[] = [];
const idStyled: Described[] = [];
for (const [k, p] of photos.entries()) {
  const d = await describe(p.name, p.name, p.identity, p.bytes);
  plain.push(d);
  if (idCopies) {
    const name = args.pooled ? `${p.name} (ID)` : p.name;
    if (d.box)
      idStyled.push(
        await describe(name, p.name, p.identity, await toIdPhoto(p.bytes, d.box, 150 + ((k * 37) % 151))),
      );
    else idStyled.push({ name, source: p.name, identity: p.identity, reason: d.reason! });
  }
  process.stderr.write(`\rphotos ${k + 1}/${photos.length}`);
}
process.stderr.write('\n');

type Pair = FoldPair & { names: [string, string]; distance?: number; demo: boolean };
const isDemo = (d: Described) => d.name.startsWith('face-api:');
function pairOf(a: Described, b: Described, group: string): Pair {
  const distance = a.descriptor && b.descriptor ? euclideanDistance(a.descriptor, b.descriptor) : undefined;
  return {
    label: a.identity === b.identity ? 'same' : 'different',
    score: distance === undefined ? undefined : scoreFromDistance(distance),
    identities: [a.identity, b.identity],
    names: [a.name, b.name],
    distance,
    demo: isDemo(a) && isDemo(b),
    group,
  };
}
const pairs: Pair[] = [];
if (!args['id-style']) {
  for (let i = 0; i < plain.length; i++)
    for (let j = i + 1; j < plain.length; j++) pairs.push(pairOf(plain[i]!, plain[j]!, 'plain'));
}
if (idCopies) {
  for (const a of idStyled)
    for (const b of plain) if (a.source !== b.source) pairs.push(pairOf(a, b, 'ID-style'));
}

const threshold = DEFAULT_THRESHOLD;
const rates = ratesAt(pairs, threshold);
const at1e3 = fnmrAtFmr(pairs, 0.001);
const at1e4 = fnmrAtFmr(pairs, 0.0001);
const { eer, threshold: eerThreshold } = equalErrorRate(pairs);
const folds = leaveOneIdentityOut(pairs, 0.001);
const boundFolds = leaveOneIdentityOut(pairs, 0.001, 'bound95');
const impostorDistances = pairs
  .filter((p) => p.label === 'different' && p.distance !== undefined)
  .map((p) => p.distance!);
const mean = impostorDistances.reduce((s, d) => s + d, 0) / impostorDistances.length;
const sd = Math.sqrt(impostorDistances.reduce((s, d) => s + (d - mean) ** 2, 0) / impostorDistances.length);
// Standard normal quantiles for 0.001 and 0.0001.
const normalAt1e3 = mean - 3.0902 * sd;
const normalAt1e4 = mean - 3.719 * sd;
const count = (label: 'same' | 'different') => pairs.filter((p) => p.label === label).length;
const unjudged = [...plain, ...idStyled].filter((d) => d.reason);
const demoPairs = pairs.filter((p) => p.demo);
const demoPassed = demoPairs.filter((p) => p.score !== undefined && p.score >= threshold).length;
const point = (p: typeof at1e3) =>
  `${round(p.fnmr)} (score >= ${round(p.threshold, 2)} = distance ${round(distanceForScore(Math.min(99.99, p.threshold)), 3)}${p.resolved ? '' : `; ${p.impostorPairs} different-people pairs cannot resolve ${p.targetFmr}`})`;

say(
  `${basename(dir)}${args.demo ? ' + face-api demo faces' : ''}${args['id-style'] ? ', ID-style copy vs every other photo' : args.pooled ? ', every pair of photos and every ID-style copy vs every other photo, pooled' : ', every pair of photos'}: ` +
    `${photos.length} photos of ${new Set(photos.map((p) => p.identity)).size} people, ${pairs.length} pairs (${count('same')} same, ${count('different')} different)`,
);
if (unjudged.length)
  say(`  unjudgeable photos   ${unjudged.map((d) => `${d.name} (${d.reason})`).join(', ')}`);
say(`  threshold            score ${threshold} = distance ${round(distanceForScore(threshold), 3)}`);
say(
  `  FMR / FNMR           ${round(rates.fmr, 5)} / ${round(rates.fnmr)} at the threshold ` +
    `(${countWithInterval(rates.falseMatches, rates.impostorPairs)}; ${countWithInterval(rates.falseNonMatches, rates.genuinePairs)})`,
);
if (demoPairs.length)
  say(
    `    demo faces only    FMR ${round(demoPassed / demoPairs.length)} (${countWithInterval(demoPassed, demoPairs.length)})`,
  );
say(`  FNMR at FMR 0.001    ${point(at1e3)}`);
say(`  FNMR at FMR 0.0001   ${point(at1e4)}`);
say(`  EER                  ${round(eer)} at score ${round(eerThreshold, 2)}`);
say(
  `  held-out folds       FMR ${round(folds.fmr, 5)} (${folds.falseMatches}/${folds.impostorPairs}), FNMR ${round(folds.fnmr)} ` +
    `(${folds.falseNonMatches}/${folds.genuinePairs}): threshold fitted for FMR 0.001 without each of ${folds.folds} people` +
    (folds.unresolvedFolds
      ? `; ${folds.unresolvedFolds} of these folds had too few different-people pairs to resolve 0.001 (their threshold sits above the closest such pair)`
      : ''),
);
say(
  `  held-out folds, 95%  FMR ${round(boundFolds.fmr, 5)} (${countWithInterval(boundFolds.falseMatches, boundFolds.impostorPairs)}), FNMR ${round(boundFolds.fnmr)} ` +
    `(${boundFolds.falseNonMatches}/${boundFolds.genuinePairs}): threshold fitted so that the other people's pairs show FMR <= 0.001 with 95% confidence ` +
    `(score ${round(Math.min(...boundFolds.thresholds), 2)}-${round(Math.max(...boundFolds.thresholds), 2)})` +
    (boundFolds.unresolvedFolds
      ? `; ${boundFolds.unresolvedFolds} of these folds had too few different-people pairs to show it (no false match allowed there)`
      : ''),
);
if (args.pooled) {
  for (const [name, f] of [
    ['measured', folds],
    ['95%', boundFolds],
  ] as const) {
    const parts = [...f.groups].map(
      ([group, c]) =>
        `${group} FMR ${round(c.falseMatches / c.impostorPairs, 5)} (${c.falseMatches}/${c.impostorPairs}), FNMR ${round(c.falseNonMatches / c.genuinePairs)} (${c.falseNonMatches}/${c.genuinePairs})`,
    );
    say(`    by kind, ${name.padEnd(9)}${parts.join('; ')}`);
  }
}
say(
  `  normal fit           different-people distance ${round(mean, 3)} +- ${round(sd, 3)}: FMR 0.001 at distance ` +
    `${round(normalAt1e3, 3)}, 0.0001 at ${round(normalAt1e4, 3)}`,
);
// The pairs that decide the error rates: the closest different-people pairs, the farthest same-person pairs.
const nearest = (label: 'same' | 'different', sign: 1 | -1) =>
  pairs
    .filter((p) => p.label === label && p.distance !== undefined)
    .sort((a, b) => sign * (a.distance! - b.distance!))
    .slice(0, 5)
    .map((p) => `${p.names.join(' / ')} ${round(p.distance!, 3)}`)
    .join(', ');
say(`  closest different    ${nearest('different', 1)}`);
say(`  farthest same        ${nearest('same', -1)}`);
if (args.plot) {
  const name = `${basename(dir)}${args.demo ? ' + demo faces' : ''}${args['id-style'] ? ' (ID-style refs)' : args.pooled ? ' (plain and ID-style pairs pooled)' : ''}, all pairs`;
  await writeFile(
    args.plot,
    detSvg(
      [{ name, points: detCurve(pairs), operatingPoint: { ...rates, label: `score ${threshold}` } }],
      `DET curve of the offline face engine: ${name}`,
      `${count('same')} same-person and ${count('different')} different-people pairs (npm run bench:engine-folds). ` +
        'Rates of 0 are drawn at the axis minimum (0.0001).',
    ),
  );
  say(`  DET curve            written to ${args.plot}`);
}
say(
  JSON.stringify({
    pairs: pairs.length,
    fmr: round(rates.fmr, 5),
    fmrUpper95: round(binomialInterval(rates.falseMatches, rates.impostorPairs).upper, 5),
    fnmr: round(rates.fnmr),
    fnmrUpper95: round(binomialInterval(rates.falseNonMatches, rates.genuinePairs).upper),
    threshold,
    fnmrAtFmr1e3: round(at1e3.fnmr),
    fnmrAtFmr1e4: round(at1e4.fnmr),
    eer: round(eer),
    heldOutFmr: round(folds.fmr, 5),
    heldOutFnmr: round(folds.fnmr),
    heldOutFmrBound95: round(boundFolds.fmr, 5),
    heldOutFnmrBound95: round(boundFolds.fnmr),
    demoFmr: demoPairs.length ? round(demoPassed / demoPairs.length) : undefined,
    normalDistanceAtFmr1e3: round(normalAt1e3, 3),
  }),
);
