/**
 * `npm run bench:http`: overhead of the verify-http handler per request (parse the FC event and the body,
 * validate and normalise the photos, sign, call, parse the reply), measured against a bare pop-core call to the
 * same emulator in the same run. The emulator answers instantly (its "instant" fault mode: no decoding, no
 * engine), so both sides pay only HTTP, signing and JSON. Calls are interleaved (bare, handler, bare, ...) so
 * machine load hits both alike. Prints ms and ratios, and memory over 1,000 requests. Figures only.
 * The emulator runs in its own process (`npm run emulator` with IDV_EMULATOR_FAULTS={"instant":true}), so the
 * memory figures are the handler's alone and the two event loops do not share a thread.
 *
 * Run with `node --expose-gc` (the script does) so the memory figures are taken after a full collection.
 */
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import RPCClient from '@alicloud/pop-core';
import sharp from 'sharp';
import { samplePhotoPaths } from '../local/dev/pieces.ts';
import { sha256HexOf } from '../shared/config.ts';
import { createFcHttpHandler } from '../shared/fc/http-adapter.ts';
import { createHttpApp } from '../shared/http/app.ts';
import { createIdvClient } from '../shared/idv/client.ts';
import type { IdvClient } from '../shared/idv/types.ts';
import { silentLogger } from '../shared/log.ts';

const API_KEY = 'bench-api-key-0123456789';
const KEY = { accessKeyId: 'LTAIbench', accessKeySecret: 'bench-secret-0001' };
const RESOURCE_CODE = '00840000';

/** `npm run emulator` in instant mode as a child process; resolves with its URL and a stop function. */
async function spawnEmulator(): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/emulator/main.ts'], {
    env: {
      PATH: process.env.PATH ?? '',
      IDV_EMULATOR_PORT: '0',
      IDV_EMULATOR_ACCESS_KEY_ID: KEY.accessKeyId,
      IDV_EMULATOR_ACCESS_KEY_SECRET: KEY.accessKeySecret,
      IDV_EMULATOR_FAULTS: JSON.stringify({ instant: true }),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) =>
      reject(new Error(`the emulator exited (${code}) before listening:\n${out}`)),
    );
  });
  child.stdout!.resume();
  return {
    url,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const ms = (n: number) => `${n.toFixed(2)} ms`;
const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

/** A compliant JPEG (within 1920x1080, no metadata) close to `targetBytes`. */
async function compliantJpeg(path: string, targetBytes: number): Promise<Buffer> {
  let best = Buffer.alloc(0);
  for (let quality = 98; quality >= 40; quality -= 2) {
    best = await sharp(path)
      .resize({ width: 1600, height: 1000, fit: 'inside' })
      .jpeg({ quality })
      .toBuffer();
    if (best.length <= targetBytes) break;
  }
  return best;
}

/** A 12-megapixel (4000x3000) JPEG from a sample: must be re-encoded to fit the box. */
const twelveMp = (path: string) =>
  sharp(path).resize(4000, 3000, { fit: 'fill' }).jpeg({ quality: 90 }).toBuffer();

function fcEvent(ref: Buffer, auth: Buffer): Buffer {
  const body = JSON.stringify({
    refFaceContent: ref.toString('base64'),
    authFaceContent: auth.toString('base64'),
  });
  return Buffer.from(
    JSON.stringify({
      version: 'v1',
      rawPath: '/verify',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      queryParameters: {},
      body,
      isBase64Encoded: false,
      requestContext: {
        requestId: 'bench',
        http: { method: 'POST', path: '/verify', sourceIp: '127.0.0.1' },
      },
    }),
  );
}

async function main(): Promise<void> {
  const emulator = await spawnEmulator();
  // The same wiring as functions/verify-http/handler.ts, with the real client wrapped in a stopwatch so the
  // function's own time (everything outside the upstream call) can be read per request, free of network noise.
  const client = createIdvClient({
    endpoint: emulator.url,
    timeoutMs: 10_000,
    credentials: () => KEY,
    logger: silentLogger,
  });
  let insideClientMs = 0;
  const timedClient: IdvClient = {
    async verify(request, options) {
      const t = performance.now();
      try {
        return await client.verify(request, options);
      } finally {
        insideClientMs = performance.now() - t;
      }
    },
  };
  const clock = { nowMs: () => Date.now() };
  const app = createHttpApp({
    idv: timedClient,
    clock,
    logger: silentLogger,
    apiKeyHashes: [sha256HexOf(API_KEY)],
    maxPhotoBytes: 15 * 1024 * 1024,
    maxPhotoPixels: 50_000_000,
    defaultResourceCode: RESOURCE_CODE,
  });
  const handler = createFcHttpHandler({ app, clock, fallbackCredentials: KEY, requestBudgetMs: 25_000 });
  const pop = new RPCClient({ endpoint: emulator.url, apiVersion: '2019-05-21', ...KEY });
  const bare = (ref: Buffer, auth: Buffer) =>
    pop.request(
      'ExecuteRequest',
      {
        Service: 'intl_face_verify',
        ServiceParameters: JSON.stringify({
          refFaceContent: ref.toString('base64'),
          authFaceContent: auth.toString('base64'),
          resourceCode: RESOURCE_CODE,
        }),
      },
      { method: 'POST', timeout: 10_000 },
    );
  const viaClient = (ref: Buffer, auth: Buffer) =>
    client.verify({
      refFaceContent: ref.toString('base64'),
      authFaceContent: auth.toString('base64'),
      resourceCode: RESOURCE_CODE,
    });
  let context = 0;
  const viaHandler = async (event: Buffer) => {
    const reply = await handler(event, { requestId: `bench-${context++}` });
    if (reply.statusCode !== 200) throw new Error(`handler answered ${reply.statusCode}: ${reply.body}`);
  };

  async function measure(label: string, ref: Buffer, auth: Buffer, runs: number, target: number) {
    const event = fcEvent(ref, auth);
    for (let i = 0; i < 10; i++) {
      await bare(ref, auth);
      await viaHandler(event);
    }
    const bareMs: number[] = [];
    const clientMs: number[] = [];
    const handlerMs: number[] = [];
    const ownMs: number[] = [];
    for (let i = 0; i < runs; i++) {
      let t = performance.now();
      await bare(ref, auth);
      bareMs.push(performance.now() - t);
      t = performance.now();
      await viaClient(ref, auth);
      clientMs.push(performance.now() - t);
      t = performance.now();
      await viaHandler(event);
      handlerMs.push(performance.now() - t);
      ownMs.push(handlerMs.at(-1)! - insideClientMs);
    }
    const own = pct(ownMs, 50);
    const overhead = pct(handlerMs, 50) - pct(bareMs, 50);
    console.log(
      `${label} (${(ref.length / 1024).toFixed(0)} + ${(auth.length / 1024).toFixed(0)} KiB, ${runs} runs):\n` +
        `  bare pop-core call p50 ${ms(pct(bareMs, 50))}; signed client p50 ${ms(pct(clientMs, 50))}; ` +
        `whole handler p50 ${ms(pct(handlerMs, 50))} p90 ${ms(pct(handlerMs, 90))}\n` +
        `  overhead (handler - bare) p50 ${ms(overhead)}, ratio ${(pct(handlerMs, 50) / pct(bareMs, 50)).toFixed(2)}x; ` +
        `target <= ${target} ms: ${overhead <= target ? 'met' : 'NOT met'}\n` +
        `  the handler's own work outside the upstream call (event, body, auth, photos, reply; free of network noise) ` +
        `p50 ${ms(own)} p90 ${ms(pct(ownMs, 90))}`,
    );
  }

  const [p1, p2] = samplePhotoPaths();
  console.log(
    `bench:http  node ${process.version}, load average ${loadavg()[0]!.toFixed(2)}, emulator in instant mode`,
  );
  if (loadavg()[0]! > 2)
    console.log('  (the machine is busy: figures are inflated and noisy; rerun on an idle machine)');
  const compliant = [await compliantJpeg(p1, 300 * 1024), await compliantJpeg(p2, 300 * 1024)] as const;
  await measure('compliant pair', compliant[0], compliant[1], 200, 5);
  const big = [await twelveMp(p1), await twelveMp(p2)] as const;
  await measure('12 MP pair', big[0], big[1], 30, 80);

  const event = fcEvent(compliant[0], compliant[1]);
  const samples: number[] = [];
  for (let i = 1; i <= 1000; i++) {
    await viaHandler(event);
    if (i % 100 === 0) {
      gc();
      samples.push(process.memoryUsage().heapUsed);
    }
  }
  const rss = process.memoryUsage().rss;
  const growth = samples.at(-1)! - samples[0]!;
  console.log(
    `memory over 1,000 compliant requests: heap after gc at 100 ${mib(samples[0]!)}, at 1000 ${mib(samples.at(-1)!)} ` +
      `(growth ${mib(growth)}), rss ${mib(rss)}; flat: ${growth < 5 * 1024 * 1024 ? 'yes' : 'NO'}` +
      ((globalThis as { gc?: unknown }).gc ? '' : ' (run with --expose-gc for exact figures)'),
  );
  const stats = (await (await fetch(`${emulator.url}/__emulator/stats`)).json()) as { engineCalls: number };
  console.log(`emulator engine calls: ${stats.engineCalls} (instant mode: expected 0)`);
  await emulator.stop();
}

await main();
