/**
 * `npm run bench:bucket [pairs] [concurrency,...] [latencyMs]` (defaults 200, "4,8,16,32", 200): drops `pairs` photo
 * pairs into a folder bucket at once, then delivers both photos' OSS events of every pair (shuffled) to the
 * verify-oss handler with `concurrency` invocations in flight, like FC running that many instances. The
 * emulator answers after a fixed latency without the face engine (instant mode), so the ceiling is
 * concurrency / latency pairs per second. Prints throughput against that ceiling, the paid calls counted at
 * the emulator (must equal `pairs`), the mean invocation time per outcome and the CPU time per pair.
 * Figures only: nothing is asserted.
 * The ceiling assumes a continuous flow; a fixed number of pairs takes at least ceil(pairs / C) latencies, so
 * the best share possible is pairs / (C x ceil(pairs / C)): 100% for C=4 and 8, 96.2% for C=16 and 89.3% for
 * C=32 with 200 pairs. Both are printed. A warm-up of 100 pairs, not measured, runs first.
 * The npm script sets UV_THREADPOOL_SIZE=64: one process stands in for C FC instances, each of which would
 * have its own libuv pool for sharp (photos that need re-encoding), so the default 4 threads would queue them.
 * The emulator runs in its own process (`npm run emulator` in instant mode), as the real upstream is remote,
 * and serves every run, as a long-running service would (its counts are read per run);
 * both share this machine's 2 cores, so read the load average printed first.
 *
 * The buckets of all runs are removed at the end, not between runs. This machine's root file system is ext4
 * without a journal, where creating a file scans past the inodes deleted in the last 30 s or so
 * (`recently_deleted` in ext4's inode allocator): right after a run's few thousand files were removed, every
 * file creation took about 1 ms instead of 40 us (measured with perf and strace).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import pLimit from 'p-limit';
import sharp from 'sharp';
import { createVerifyOssHandler } from '../functions/verify-oss/handler.ts';
import { silentLogger } from '../shared/log.ts';
import { createFsStore } from '../shared/store/fs.ts';
import { type RemoteEmulator, spawnEmulator } from './emulator-process.ts';

const benchPairs = Number(process.argv[2] ?? 200);
const concurrencies = (process.argv[3] ?? '4,8,16,32').split(',').map(Number);
const latencyMs = Number(process.argv[4] ?? 200);

const photo = (seed: number) =>
  sharp({
    create: {
      width: 480,
      height: 360,
      channels: 3,
      background: { r: seed % 256, g: (seed >> 8) % 256, b: 77 },
    },
  })
    .jpeg({ quality: 85 })
    .toBuffer();

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

async function run(
  concurrency: number,
  pairs: number,
  emulator: RemoteEmulator,
  secret: string,
  roots: string[],
  report = true,
): Promise<void> {
  const root = await mkdtemp(path.join(tmpdir(), 'bench-bucket-'));
  roots.push(root);
  const store = createFsStore({ root });
  for (let i = 0; i < pairs; i++) {
    await store.put(`cases/c${i}/ref.jpg`, await photo(2 * i));
    await store.put(`cases/c${i}/auth.jpg`, await photo(2 * i + 1));
  }
  const handler = createVerifyOssHandler(
    {
      IDV_ENDPOINT: emulator.url,
      IDV_STORE: 'fs',
      IDV_BUCKET_DIR: root,
      IDV_PREFIX: 'cases',
      IDV_RESOURCE_CODE: '00840000',
      ALIBABA_CLOUD_ACCESS_KEY_ID: 'bench-ak',
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: secret,
    },
    { logger: silentLogger },
  );
  const keys = shuffle(
    Array.from({ length: pairs }, (_, i) => [`cases/c${i}/ref.jpg`, `cases/c${i}/auth.jpg`]).flat(),
  );
  const limit = pLimit(concurrency);
  const event = (key: string) =>
    Buffer.from(
      JSON.stringify({
        events: [
          {
            eventName: 'ObjectCreated:PutObject',
            eventSource: 'acs:oss',
            region: 'local',
            oss: { bucket: { name: 'bench' }, object: { key } },
          },
        ],
      }),
    );
  let n = 0;
  const cpu0 = process.cpuUsage();
  const emulatorCpu0 = await emulator.cpuMs();
  const stats0 = await emulator.stats();
  const started = performance.now();
  const durations: Record<string, number[]> = {};
  const replies = await Promise.all(
    keys.map((key) =>
      limit(async () => {
        const t0 = performance.now();
        const reply = await handler(event(key), { requestId: `bench-${n++}`, function: { timeout: 60 } });
        const action = reply.reports[0]?.action ?? 'none';
        const list = durations[action] ?? [];
        list.push(performance.now() - t0);
        durations[action] = list;
        return reply;
      }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const emulatorCpu1 = await emulator.cpuMs();
  const stats1 = await emulator.stats();
  const paid = (stats1.byOutcome.instant ?? 0) - (stats0.byOutcome.instant ?? 0);
  const requests = stats1.requests - stats0.requests;
  const written = replies.flatMap((r) => r.reports).filter((r) => r.action === 'written').length;
  if (!report) return;
  const rate = pairs / seconds;
  const ceiling = concurrency / (latencyMs / 1000);
  console.log(
    `C=${String(concurrency).padStart(3)}: ${pairs} pairs in ${seconds.toFixed(2)} s = ${rate.toFixed(1)} pairs/s; ` +
      `ceiling C/${latencyMs} ms = ${ceiling.toFixed(1)} pairs/s -> ${((100 * rate) / ceiling).toFixed(1)}% ` +
      `(target >= 90%); paid calls ${paid} (must be ${pairs}) ${paid === pairs ? 'OK' : 'WRONG'}; ` +
      `results written ${written}; upstream requests ${requests}`,
  );
  const bestShare = pairs / (concurrency * Math.ceil(pairs / concurrency));
  console.log(
    `       best possible with ${pairs} pairs (ceil(pairs / C) rounds of ${latencyMs} ms): ` +
      `${(100 * bestShare).toFixed(1)}% of the ceiling; reached ${((100 * rate) / ceiling / bestShare).toFixed(1)}% of that`,
  );
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log(
    `       mean invocation time by outcome: ${Object.entries(durations)
      .map(([a, xs]) => `${a} ${mean(xs).toFixed(1)} ms (${xs.length})`)
      .join(', ')}`,
  );
  const perPair = (ms: number) => `${(ms / pairs).toFixed(1)} ms`;
  console.log(
    `       CPU per pair: this process ${perPair((cpu.user + cpu.system) / 1000)}` +
      (emulatorCpu0 === undefined || emulatorCpu1 === undefined
        ? ''
        : `, emulator ${perPair(emulatorCpu1 - emulatorCpu0)}`),
  );
}

console.log(
  `bucket door: ${benchPairs} pairs dropped at once, both events per pair shuffled, emulator latency ${latencyMs} ms, ` +
    `node ${process.version}, load average ${loadavg()[0]?.toFixed(2)}`,
);
/** Mean time to create an empty file in `dir`. */
function fileCreationUs(dir: string): number {
  const n = 100;
  const started = performance.now();
  for (let i = 0; i < n; i++) closeSync(openSync(path.join(dir, `f${i}`), 'wx'));
  return ((performance.now() - started) * 1000) / n;
}

const roots: string[] = [await mkdtemp(path.join(tmpdir(), 'bench-probe-'))];
const createUs = fileCreationUs(roots[0] as string);
console.log(
  `file creation in ${tmpdir()}: ${createUs.toFixed(0)} us` +
    (createUs > 200
      ? ' - slow: ext4 without a journal scans past recently deleted inodes (deleting many files, e.g. npm test ' +
        'or a previous run, within the last minute or so); the figures will be a few points lower'
      : ''),
);
const secret = randomBytes(18).toString('base64url');
const emulator = await spawnEmulator('bench-ak', secret, latencyMs);
try {
  // Not measured: lets V8 compile the handler's code and the emulator's before the first measured run, as
  // in a function that has been serving for a while (otherwise the first run alone pays a few points).
  await run(8, 100, emulator, secret, roots, false);
  for (const c of concurrencies) await run(c, benchPairs, emulator, secret, roots);
} finally {
  await emulator.close();
  await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })));
}
