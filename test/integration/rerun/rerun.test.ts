/**
 * The rerun-batch function end to end over real HTTP: the real signed client against the emulator on
 * 127.0.0.1, a folder store, FC-shaped timer events. The emulator answers in `instant` mode (no face engine:
 * these tests are about scheduling and money), so successful paid calls are its `instant` outcomes.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRerunBatchHandler } from '../../../functions/rerun-batch/handler.ts';
import { createVerifyOssHandler } from '../../../functions/verify-oss/handler.ts';
import type { FaultConfig } from '../../../local/emulator/config.ts';
import { type Emulator, startEmulator } from '../../../local/emulator/server.ts';
import type { FaceEngine } from '../../../local/engine/types.ts';
import { readResult } from '../../../shared/cases/process.ts';
import { createLogger } from '../../../shared/log.ts';
import { cursorKey } from '../../../shared/rerun/cursor.ts';
import { createFanoutRunner, createFc3Client } from '../../../shared/rerun/fanout.ts';
import { runRerun } from '../../../shared/rerun/run.ts';
import { createFsStore } from '../../../shared/store/fs.ts';
import type { ObjectStore } from '../../../shared/store/types.ts';
import { fcContext, jpeg, movableClock } from '../../helpers/oss-events.ts';
import { seededRandom, testSeed } from '../../helpers/random.ts';

const unusedEngine: FaceEngine = {
  compare: async () => {
    throw new Error('the engine is not used in instant mode');
  },
  close: async () => {},
};

const timerEvent = (payload: object | string = {}) =>
  Buffer.from(
    JSON.stringify({
      triggerTime: new Date().toISOString(),
      triggerName: 'rerun-due',
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    }),
  );

describe('rerun-batch with the emulator', () => {
  // Fresh per test: pop-core stamps requests with the real time and the emulator allows 15 minutes of skew.
  let clock = movableClock();
  const secret = randomBytes(18).toString('base64url');
  const logs: string[] = [];
  let emulator: Emulator | undefined;
  let root: string;
  let store: ObjectStore;

  const start = async (faults: FaultConfig, dailyQuota?: number, random?: () => number) => {
    emulator = await startEmulator({
      ...(random ? { random } : {}),
      engine: unusedEngine,
      keys: [
        {
          accessKeyId: 'rerun-ak',
          accessKeySecret: secret,
          ...(dailyQuota === undefined ? {} : { dailyQuota }),
        },
      ],
      clock,
      faults: { instant: true, ...faults },
    });
    return emulator;
  };
  const envFor = (emu: Emulator, more: Record<string, string> = {}) => ({
    IDV_ENDPOINT: emu.url,
    IDV_STORE: 'fs',
    IDV_BUCKET_DIR: root,
    IDV_PREFIX: 'cases',
    IDV_RESOURCE_CODE: '00840000',
    IDV_RETRY_BASE_MS: '1000',
    ALIBABA_CLOUD_ACCESS_KEY_ID: 'rerun-ak',
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: secret,
    ...more,
  });
  const handlerFor = (emu: Emulator, more: Record<string, string> = {}) =>
    createRerunBatchHandler(envFor(emu, more), {
      clock,
      logger: createLogger({ write: (l) => logs.push(l) }),
    });
  const putPairs = async (n: number) => {
    const ids = Array.from({ length: n }, (_, i) => `p${String(i).padStart(3, '0')}`);
    for (const [i, id] of ids.entries()) {
      await store.put(`cases/${id}/ref.jpg`, await jpeg(i));
      await store.put(`cases/${id}/auth.jpg`, await jpeg(i + 5000));
    }
    return ids;
  };
  const timerContext = () => fcContext({ function: { name: 'idv-rerun-batch', timeout: 600 } });

  beforeEach(async () => {
    clock = movableClock();
    root = await mkdtemp(path.join(tmpdir(), 'rerun-int-'));
    store = createFsStore({ root });
    logs.length = 0;
  });
  afterEach(async () => {
    await emulator?.close();
    emulator = undefined;
    await rm(root, { recursive: true, force: true });
  });

  it('never has more upstream calls in flight than the concurrency asked for', async () => {
    const emu = await start({ latencyMs: 150 });
    await putPairs(12);
    const reply = await handlerFor(emu)(timerEvent({ concurrency: 3 }), timerContext());
    expect(reply).toMatchObject({ ok: true, stopReason: 'complete', counts: { due: 12, verified: 12 } });
    expect(emu.stats().peakInFlight).toBeLessThanOrEqual(3);
    expect(emu.stats().peakInFlight).toBeGreaterThanOrEqual(2);
  });

  it('stops at the first 402, leaves the rest for after the quota reset and saves a cursor', async () => {
    const emu = await start({}, 4);
    const ids = await putPairs(8);
    const reply = await handlerFor(emu)(timerEvent({ concurrency: 1 }), timerContext());
    expect(reply).toMatchObject({ ok: true, stopReason: 'quota', counts: { verified: 4, retrying: 1 } });
    expect(emu.stats().byOutcome).toMatchObject({ instant: 4, quotaExceeded: 1 });
    const quotaCase = await readResult(store, { prefix: 'cases', caseId: ids[4] as string });
    expect(quotaCase?.error?.code).toBe('QuotaExceeded');
    expect(Date.parse(quotaCase?.nextAttemptAt ?? '') % 86_400_000).toBe(0); // next UTC midnight
    for (const id of ids.slice(5))
      expect(await readResult(store, { prefix: 'cases', caseId: id })).toBeUndefined();
    expect(await store.head(cursorKey('cases'))).toBeDefined();
  });

  it('re-verifies final verdicts only when forced, and changes nothing in a dry run', async () => {
    const emu = await start({});
    await putPairs(3);
    const handler = handlerFor(emu);
    await handler(timerEvent(), timerContext());
    expect(emu.stats().byOutcome.instant).toBe(3);
    const again = await handler(timerEvent(), timerContext());
    expect(again).toMatchObject({ counts: { due: 0, skipped: 3 } });
    const dry = await handler(timerEvent({ force: true, dryRun: true }), timerContext());
    expect(dry).toMatchObject({ counts: { due: 3, verified: 0 } });
    expect(emu.stats().byOutcome.instant).toBe(3);
    const forced = await handler(timerEvent({ force: true }), timerContext());
    expect(forced).toMatchObject({ counts: { due: 3, verified: 3 } });
    expect(emu.stats().byOutcome.instant).toBe(6);
  });

  it('refuses to run, naming both, when the function timeout leaves no time past IDV_RERUN_MARGIN_MS', async () => {
    const emu = await start({});
    await putPairs(3);
    const handler = handlerFor(emu, { IDV_RERUN_MARGIN_MS: '5000' });
    const tight = fcContext({ function: { name: 'idv-rerun-batch', timeout: 5 } });
    const reply = await handler(timerEvent(), tight);
    // Before, every timer run stopped at once with nothing done and replied ok.
    expect(reply).toMatchObject({ ok: false, error: { code: 'TimeoutBelowMargin' } });
    expect(JSON.stringify(reply)).toMatch(/function timeout \(5 s\).*IDV_RERUN_MARGIN_MS \(5000 ms\)/);
    expect(emu.stats().requests).toBe(0);
    const roomy = await handler(timerEvent(), timerContext());
    expect(roomy).toMatchObject({ ok: true, stopReason: 'complete', counts: { verified: 3 } });
  });

  it('converges to 100 verdicts with 30% transient failures, one successful paid call per pair', async () => {
    // The emulator draws its faults from a seeded generator: the same seed injects the same number of faults.
    const seed = testSeed();
    const emu = await start({ systemError: { share: 0.3 } }, undefined, seededRandom(seed));
    const ids = await putPairs(100);
    const handler = handlerFor(emu);
    const notVerified = async () => {
      const left: string[] = [];
      for (const id of ids) {
        const r = await readResult(store, { prefix: 'cases', caseId: id });
        if (r?.status !== 'verified') left.push(`${id}: ${r?.status ?? 'no result'} ${r?.error?.code ?? ''}`);
      }
      return left;
    };
    // Each run retries a transient failure up to 3 times, so a case stays unverified after a run with
    // probability 0.3^3; ten runs leave a margin that no seed needs.
    let left = ids.map(String);
    for (let runs = 0; runs < 10 && left.length > 0; runs++) {
      await handler(timerEvent({ concurrency: 8 }), timerContext());
      clock.advance(60_000); // the next timer tick; every backoff (base 1 s) has passed
      left = await notVerified();
    }
    expect(left, `seed ${seed}`).toEqual([]);
    expect(emu.stats().byOutcome.instant, `seed ${seed}`).toBe(100);
    expect(emu.stats().byOutcome.systemError ?? 0, `seed ${seed}`).toBeGreaterThan(0);
  }, 120_000);

  it('in fan-out mode hands each due case to the OSS function, which then verifies it once', async () => {
    const emu = await start({});
    await putPairs(4);
    const bodies: string[] = [];
    const rerun = createRerunBatchHandler(
      envFor(emu, {
        IDV_RERUN_MODE: 'fanout',
        IDV_FANOUT_FUNCTION: 'idv-verify-oss',
        IDV_BUCKET: 'my-bucket',
        OSS_REGION: 'ap-southeast-1',
      }),
      {
        clock,
        logger: createLogger({ write: () => {} }),
        fcClient: () => ({
          async invokeFunctionWithOptions(functionName, request, headers) {
            expect(functionName).toBe('idv-verify-oss');
            expect(headers.xFcInvocationType).toBe('Async');
            const chunks: Buffer[] = [];
            for await (const c of request.body ?? []) chunks.push(Buffer.from(c));
            bodies.push(Buffer.concat(chunks).toString('utf8'));
            return { statusCode: 202 };
          },
        }),
      },
    );
    const reply = await rerun(timerEvent(), timerContext());
    expect(reply).toMatchObject({ ok: true, counts: { due: 4, dispatched: 4, verified: 0 } });
    expect(emu.stats().requests).toBe(0);
    // What FC would do with the async invocations: run the OSS function with each event (twice: at least once).
    const oss = createVerifyOssHandler(envFor(emu, { IDV_STORE: 'fs' }), {
      clock,
      logger: createLogger({ write: () => {} }),
    });
    for (const body of [...bodies, ...bodies]) await oss(Buffer.from(body), fcContext());
    expect(emu.stats().byOutcome.instant).toBe(4);
    expect(await rerun(timerEvent(), timerContext())).toMatchObject({ counts: { due: 0, dispatched: 0 } });
    const forced = await rerun(timerEvent({ force: true }), timerContext());
    expect(forced).toMatchObject({ ok: false, error: { code: 'ForceNotFannedOut' } });
  });

  it('signs and sends the async invocation through the real FC 3.0 SDK', async () => {
    const seen: { method?: string; url?: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({
          method: req.method,
          url: req.url,
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        res.writeHead(202, { 'content-type': 'application/json', 'x-fc-request-id': 'fc-req-1' });
        res.end('');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      await store.put('cases/x1/ref.jpg', await jpeg(1));
      await store.put('cases/x1/auth.jpg', await jpeg(2));
      const client = await createFc3Client({
        region: 'ap-southeast-1',
        endpoint: `http://127.0.0.1:${port}`,
        credentials: {
          accessKeyId: 'fc-ak',
          accessKeySecret: randomBytes(12).toString('hex'),
          securityToken: 'sts-token',
        },
      });
      const runner = createFanoutRunner(
        client,
        { functionName: 'idv-verify-oss', bucket: 'b1', region: 'ap-southeast-1' },
        clock,
      );
      const report = await runRerun(
        { store, clock, logger: createLogger({ write: () => {} }), runner },
        { prefix: 'cases', concurrency: 1 },
      );
      expect(report.counts).toMatchObject({ dispatched: 1, errors: 0 });
      expect(seen).toHaveLength(1);
      const [call] = seen;
      expect(call?.method).toBe('POST');
      expect(call?.url).toBe('/2023-03-30/functions/idv-verify-oss/invocations?qualifier=LATEST');
      expect(call?.headers['x-fc-invocation-type']).toBe('Async');
      // FC 3.0's SDK signs with Alibaba's V3 signature (ACS3-HMAC-SHA256).
      expect(call?.headers.authorization).toMatch(/^ACS3-HMAC-SHA256 Credential=fc-ak,/);
      expect(call?.headers['x-acs-security-token']).toBe('sts-token');
      expect(JSON.parse(call?.body ?? '{}').events[0].oss.object.key).toBe('cases/x1/ref.jpg');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
