/**
 * `npm run bench:rerun [pairs] [concurrency,...] [latencyMs] [keyCounts]` (defaults 1000, "4,8,16", 300,
 * "10000,50000"). Figures only: nothing is asserted.
 *
 * 1. Throughput: `pairs` complete pairs without a result in a folder bucket, re-run by the rerun core (inline,
 *    the real signed client, processCase per case) with concurrency C against the emulator answering after a
 *    fixed latency L without the face engine (instant mode, in its own process as the real upstream is
 *    remote). The ceiling is C / L cases per second; the target is at least 90% of it. Paid calls counted at the
 *    emulator must equal `pairs`.
 * 2. Listing and decision overhead per 10,000 keys (target at most 1 s): a dry run over a bucket of verified
 *    cases (ref, auth, result.json, one claim: 4 keys a case, every result.json read and parsed), on a
 *    generated store that builds each listing page and result.json on demand (so the store itself holds
 *    nothing), and on the folder store at 10,000 keys.
 * 3. Peak memory of the same dry run at each key count (heap above the baseline after a GC; target: flat).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { DEFAULT_CASE_SETTINGS } from '../shared/cases/settings.ts';
import { systemClock } from '../shared/clock.ts';
import { createIdvClient } from '../shared/idv/client.ts';
import { silentLogger } from '../shared/log.ts';
import { runRerun } from '../shared/rerun/run.ts';
import { createInlineRunner } from '../shared/rerun/runner.ts';
import { createFsStore } from '../shared/store/fs.ts';
import type { ListEntry, ObjectStore } from '../shared/store/types.ts';
import { spawnEmulator } from './emulator-process.ts';

const pairs = Number(process.argv[2] ?? 1000);
const concurrencies = (process.argv[3] ?? '4,8,16').split(',').map(Number);
const latencyMs = Number(process.argv[4] ?? 300);
const keyCounts = (process.argv[5] ?? '10000,50000').split(',').map(Number);
const gc = (globalThis as { gc?: () => void }).gc;

const photo = (seed: number) =>
  sharp({ create: { width: 480, height: 360, channels: 3, background: { r: seed, g: 90, b: 77 } } })
    .jpeg({ quality: 85 })
    .toBuffer();

async function throughput(): Promise<void> {
  console.log(`\n1. Throughput: ${pairs} pairs, emulator latency L = ${latencyMs} ms (instant mode)`);
  console.log('   C   seconds   cases/s   limit C/L   ratio   paid calls   peak in flight');
  const secret = randomBytes(18).toString('base64url');
  const emulator = await spawnEmulator('bench-ak', secret, latencyMs);
  const root = await mkdtemp(path.join(tmpdir(), 'bench-rerun-'));
  const [ref, auth] = await Promise.all([photo(1), photo(2)]);
  try {
    const store = createFsStore({ root });
    const client = createIdvClient({
      endpoint: emulator.url,
      credentials: () => ({ accessKeyId: 'bench-ak', accessKeySecret: secret }),
    });
    for (const c of concurrencies) {
      const prefix = `c${c}`;
      for (let i = 0; i < pairs; i++) {
        await store.put(`${prefix}/p${i}/ref.jpg`, ref as Buffer);
        await store.put(`${prefix}/p${i}/auth.jpg`, auth as Buffer);
      }
      const before = await emulator.stats();
      const settings = { ...DEFAULT_CASE_SETTINGS, prefix, defaultResourceCode: '00840000' };
      const runner = createInlineRunner({
        store,
        client,
        clock: systemClock,
        logger: silentLogger,
        settings,
      });
      const t0 = performance.now();
      const report = await runRerun(
        { store, clock: systemClock, logger: silentLogger, runner },
        { prefix, concurrency: c, useCursor: false },
      );
      const seconds = (performance.now() - t0) / 1000;
      const after = await emulator.stats();
      const paid = (after.byOutcome.instant ?? 0) - (before.byOutcome.instant ?? 0);
      const rate = report.counts.verified / seconds;
      const limit = c / (latencyMs / 1000);
      console.log(
        `  ${String(c).padStart(2)}   ${seconds.toFixed(2).padStart(7)}   ${rate.toFixed(1).padStart(7)}   ${limit.toFixed(1).padStart(9)}   ${((100 * rate) / limit).toFixed(1).padStart(4)}%   ${String(paid).padStart(10)}   ${String(after.peakInFlight).padStart(14)}`,
      );
    }
  } finally {
    await emulator.close();
    await rm(root, { recursive: true, force: true });
  }
}

const md5 = (s: string) => createHash('md5').update(s).digest('hex').toUpperCase();
const resultBody = (caseId: string) =>
  Buffer.from(
    JSON.stringify({
      schema: 'idv.result/v1',
      caseId,
      status: 'verified',
      verdict: {
        passed: true,
        result: true,
        score: 97,
        faceAttack: false,
        retCode: 'OK_SUCCESS',
        retCodeSub: 'OK',
        retMessage: 'ok',
      },
      requestId: `REQ-${caseId}`,
      resourceCode: '00840000',
      photos: {
        ref: { etag: md5(`ref-${caseId}`), size: 1000 },
        auth: { etag: md5(`auth-${caseId}`), size: 1000 },
      },
      attempts: 1,
      firstAttemptAt: '2026-01-01T00:00:00.000Z',
      lastAttemptAt: '2026-01-01T00:00:00.000Z',
      claimSeq: 1,
    }),
  );

/** A read-only store of `cases` verified cases, 4 keys each, generated page by page: it holds nothing. */
function generatedStore(cases: number): ObjectStore {
  const id = (i: number) => `k${String(i).padStart(7, '0')}`;
  const keysOf = (i: number): ListEntry[] => {
    const c = id(i);
    const hash = 'a'.repeat(64);
    return [
      {
        key: `cases/${c}/.idv-${hash}.claim-000001.json`,
        etag: md5(`claim-${c}`),
        size: 200,
        lastModifiedEpochMs: 0,
      },
      { key: `cases/${c}/auth.jpg`, etag: md5(`auth-${c}`), size: 1000, lastModifiedEpochMs: 0 },
      { key: `cases/${c}/ref.jpg`, etag: md5(`ref-${c}`), size: 1000, lastModifiedEpochMs: 0 },
      { key: `cases/${c}/result.json`, etag: md5(`result-${c}`), size: 600, lastModifiedEpochMs: 0 },
    ];
  };
  const refuse = async (): Promise<never> => {
    throw new Error('read-only bench store');
  };
  return {
    async list({ token, limit }) {
      const start = token === undefined ? 0 : Number(token);
      const size = Math.min(limit ?? 1000, 1000);
      const entries: ListEntry[] = [];
      for (let k = start; k < Math.min(start + size, cases * 4); k++)
        entries.push(keysOf(Math.floor(k / 4))[k % 4] as ListEntry);
      const next = start + size;
      return next < cases * 4 ? { entries, nextToken: String(next) } : { entries };
    },
    async get(key) {
      const m = /^cases\/(k\d+)\/result\.json$/.exec(key);
      if (!m?.[1]) return undefined;
      const body = resultBody(m[1]);
      return {
        key,
        body,
        etag: md5(key),
        size: body.length,
        lastModifiedEpochMs: 0,
        contentType: 'application/json',
        metadata: {},
      };
    },
    head: async () => undefined,
    put: refuse,
    putIfAbsent: refuse,
    delete: refuse,
  };
}

async function dryRun(store: ObjectStore) {
  const runner = async () => {
    throw new Error('a dry run runs nothing');
  };
  gc?.();
  const baseline = process.memoryUsage().heapUsed;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }, 5);
  const t0 = performance.now();
  const report = await runRerun(
    { store, clock: systemClock, logger: silentLogger, runner },
    { prefix: 'cases', concurrency: 8, dryRun: true, useCursor: false },
  );
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().heapUsed);
  return { report, seconds, peakMb: (peak - baseline) / 1024 / 1024 };
}

async function overheadAndMemory(): Promise<void> {
  console.log('\n2-3. Listing + decision (dry run, every result.json read), and peak heap above baseline');
  if (!gc) console.log('   (run with node --expose-gc for a clean baseline; `npm run bench:rerun` does)');
  console.log('   store        keys     cases   seconds   s per 10,000 keys   peak heap MB');
  for (const keys of keyCounts) {
    const { report, seconds, peakMb } = await dryRun(generatedStore(Math.floor(keys / 4)));
    console.log(
      `   generated ${String(report.counts.keys).padStart(7)}   ${String(report.counts.scanned).padStart(7)}   ${seconds.toFixed(2).padStart(7)}   ${((seconds * 10_000) / report.counts.keys).toFixed(3).padStart(17)}   ${peakMb.toFixed(1).padStart(12)}`,
    );
  }
  const root = await mkdtemp(path.join(tmpdir(), 'bench-rerun-fs-'));
  try {
    const cases = 2500;
    const hash = 'a'.repeat(64);
    for (let i = 0; i < cases; i++) {
      const c = `k${String(i).padStart(7, '0')}`;
      const dir = path.join(root, 'cases', c);
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, 'ref.jpg'), `ref-${c}`);
      await writeFile(path.join(dir, 'auth.jpg'), `auth-${c}`);
      await writeFile(path.join(dir, 'result.json'), resultBody(c));
      await writeFile(path.join(dir, `.idv-${hash}.claim-000001.json`), '{}');
    }
    const store = createFsStore({ root });
    await dryRun(store); // warms the folder store's ETag cache, as a long-lived instance would have it
    const { report, seconds, peakMb } = await dryRun(store);
    console.log(
      `   folder    ${String(report.counts.keys).padStart(7)}   ${String(report.counts.scanned).padStart(7)}   ${seconds.toFixed(2).padStart(7)}   ${((seconds * 10_000) / report.counts.keys).toFixed(3).padStart(17)}   ${peakMb.toFixed(1).padStart(12)}`,
    );
    if (report.counts.skipped !== cases) console.log(`   unexpected: ${JSON.stringify(report.counts)}`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

console.log(
  `Load average before: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} (2 cores, shared)`,
);
await overheadAndMemory();
await throughput();
