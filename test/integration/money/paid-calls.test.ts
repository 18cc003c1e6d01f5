/**
 * Money safety end to end on loopback: each injected fault of the emulator (latency beyond the client's
 * timeout, a slow success, a malformed success) against the HTTP door and the bucket door, counting the
 * completed paid calls the emulator saw for our access key (`paidByKey`). The emulator answers in `instant`
 * mode (no face engine); the client timeout is scaled down (300 ms against 11 s) so the same situation as
 * `latencyMs: 11000` with the default 10 s timeout runs in under a second.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createVerifyHttpHandler } from '../../../functions/verify-http/handler.ts';
import { createVerifyOssHandler } from '../../../functions/verify-oss/handler.ts';
import { type Emulator, startEmulator } from '../../../local/emulator/server.ts';
import { type RunningServer, startFcHttpRunner } from '../../../local/runner/fc-http.ts';
import { readResult } from '../../../shared/cases/process.ts';
import { DEFAULT_CASE_SETTINGS } from '../../../shared/cases/settings.ts';
import { systemClock } from '../../../shared/clock.ts';
import { createIdvClient } from '../../../shared/idv/client.ts';
import { createLogger } from '../../../shared/log.ts';
import { runRerun } from '../../../shared/rerun/run.ts';
import { createInlineRunner } from '../../../shared/rerun/runner.ts';
import { createFsStore } from '../../../shared/store/fs.ts';
import type { ObjectStore } from '../../../shared/store/types.ts';
import { fcContext, jpeg, ossEventBuffer } from '../../helpers/oss-events.ts';
import { UPSTREAM_MATRIX } from '../../helpers/upstream-matrix.ts';

const API_KEY = 'money-api-key-0123456789';
const secret = randomBytes(18).toString('base64url');
const KEY = { accessKeyId: 'money-ak', accessKeySecret: secret };
/** Client timeout in these tests; the emulator's latency is set above it. */
const TIMEOUT_MS = 300;
const SLOW_MS = 700;

let emulator: Emulator;
const runners: RunningServer[] = [];
const logs: string[] = [];

/** Completed paid calls for our key, once every request the emulator is still answering has finished. */
async function paidCalls(): Promise<number> {
  for (let i = 0; i < 200 && emulator.stats().inFlight > 0; i++) await new Promise((r) => setTimeout(r, 20));
  return emulator.stats().paidByKey[KEY.accessKeyId] ?? 0;
}

beforeAll(async () => {
  emulator = await startEmulator({ engine: undefined, keys: [KEY], faults: { instant: true } });
});
afterAll(async () => {
  for (const r of runners) await r.close();
  await emulator.close();
});
beforeEach(() => {
  emulator.setFaults({ instant: true });
  logs.length = 0;
});

describe.each(UPSTREAM_MATRIX)('$api', (upstream) => {
  describe('HTTP door: paid calls per POST /verify under injected faults', () => {
    async function post(env: Record<string, string> = {}) {
      const handler = createVerifyHttpHandler(
        {
          IDV_ENDPOINT: emulator.url,
          IDV_API_KEY: API_KEY,
          IDV_RESOURCE_CODE: '00840000',
          IDV_TIMEOUT_MS: String(TIMEOUT_MS),
          IDV_REQUEST_BUDGET_MS: '5000',
          ALIBABA_CLOUD_ACCESS_KEY_ID: KEY.accessKeyId,
          ALIBABA_CLOUD_ACCESS_KEY_SECRET: KEY.accessKeySecret,
          ...upstream.env,
          ...env,
        },
        { logger: createLogger({ level: 'info', write: (l) => logs.push(l) }) },
      );
      const runner = await startFcHttpRunner({ handler });
      runners.push(runner);
      const res = await fetch(`${runner.url}/verify`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          refFaceContent: (await jpeg(1, 640, 480)).toString('base64'),
          authFaceContent: (await jpeg(2, 640, 480)).toString('base64'),
        }),
      });
      const body = (await res.json()) as { error?: { code: string; upstreamRequestId?: string } };
      const line = logs
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.msg === 'request done' || l.msg === 'request failed' || l.msg === 'request refused');
      return { status: res.status, body, line };
    }

    it('costs at most 1 + IDV_MAX_UNCERTAIN_RETRIES (default 1) paid calls when every answer comes too late', async () => {
      emulator.setFaults({ instant: true, latencyMs: SLOW_MS });
      const before = await paidCalls();
      const { status, body, line } = await post();
      expect([status, body.error?.code]).toEqual([504, 'upstream_timeout']);
      expect((await paidCalls()) - before).toBe(2);
      expect(line).toMatchObject({ paidAttempts: 0, uncertainAttempts: 2 });
    });

    it('costs exactly one paid call with IDV_MAX_UNCERTAIN_RETRIES=0', async () => {
      emulator.setFaults({ instant: true, latencyMs: SLOW_MS });
      const before = await paidCalls();
      const { status } = await post({ IDV_MAX_UNCERTAIN_RETRIES: '0' });
      expect(status).toBe(504);
      expect((await paidCalls()) - before).toBe(1);
    });

    it('answers 502 upstream_unparseable with the upstream RequestId after one paid call (malformedSuccess)', async () => {
      emulator.setFaults({ instant: true, malformedSuccess: { count: 1 } });
      const before = await paidCalls();
      const { status, body, line } = await post();
      expect(status).toBe(502);
      expect(body.error?.code).toBe('upstream_unparseable');
      expect(body.error?.upstreamRequestId).toMatch(/^[0-9A-F-]{36}$/);
      expect((await paidCalls()) - before).toBe(1);
      expect(line).toMatchObject({ paidAttempts: 0, uncertainAttempts: 1 });
    });

    it('retries a success that came too late once and logs both attempts (slowSuccess)', async () => {
      emulator.setFaults({ instant: true, slowSuccess: { count: 1, ms: SLOW_MS } });
      const before = await paidCalls();
      const { status, line } = await post();
      expect(status).toBe(200);
      expect((await paidCalls()) - before).toBe(2);
      expect(line).toMatchObject({ status: 200, paidAttempts: 1, uncertainAttempts: 1 });
    });

    it('still retries certainly-unbilled failures (throttling) without spending the uncertain budget', async () => {
      emulator.setFaults({ instant: true, throttle: { count: 2 } });
      const before = await paidCalls();
      const { status, line } = await post({ IDV_MAX_UNCERTAIN_RETRIES: '0' });
      expect(status).toBe(200);
      expect((await paidCalls()) - before).toBe(1);
      expect(line).toMatchObject({ paidAttempts: 1, uncertainAttempts: 0 });
    });
  });

  describe('HTTP door: Idempotency-Key', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'idem-it-'));
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    async function serveIdem(env: Record<string, string> = {}) {
      const handler = createVerifyHttpHandler(
        {
          IDV_ENDPOINT: emulator.url,
          IDV_API_KEY: API_KEY,
          IDV_RESOURCE_CODE: '00840000',
          IDV_TIMEOUT_MS: String(TIMEOUT_MS),
          IDV_REQUEST_BUDGET_MS: '5000',
          IDV_IDEMPOTENCY_DIR: dir,
          ALIBABA_CLOUD_ACCESS_KEY_ID: KEY.accessKeyId,
          ALIBABA_CLOUD_ACCESS_KEY_SECRET: KEY.accessKeySecret,
          ...upstream.env,
          ...env,
        },
        { logger: createLogger({ level: 'error', write: () => {} }) },
      );
      const runner = await startFcHttpRunner({ handler });
      runners.push(runner);
      return runner.url;
    }
    const body = async (seed: number) =>
      JSON.stringify({
        refFaceContent: (await jpeg(seed, 640, 480)).toString('base64'),
        authFaceContent: (await jpeg(seed + 1, 640, 480)).toString('base64'),
      });
    const send = async (url: string, key: string | undefined, text: string) => {
      const res = await fetch(`${url}/verify`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${API_KEY}`,
          'content-type': 'application/json',
          ...(key === undefined ? {} : { 'idempotency-key': key }),
        },
        body: text,
      });
      return { status: res.status, headers: res.headers, text: await res.text() };
    };

    it('answers two identical POSTs with one paid call and the same body, the second marked replayed', async () => {
      const url = await serveIdem();
      const text = await body(20);
      const before = await paidCalls();
      const first = await send(url, 'order-1', text);
      const second = await send(url, 'order-1', text);
      expect(first.status).toBe(200);
      expect(second.status).toBe(200);
      expect(second.text).toBe(first.text);
      expect(second.headers.get('idempotent-replayed')).toBe('true');
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      expect((await paidCalls()) - before).toBe(1);
    });

    it('replays a multipart retry (a new random boundary each send) and the same photos sent as JSON', async () => {
      const url = await serveIdem();
      const ref = await jpeg(24, 640, 480);
      const auth = await jpeg(25, 640, 480);
      // fetch builds a FormData body with a fresh random boundary each time, as curl -F does.
      const multipart = async () => {
        const form = new FormData();
        form.set('ref', new Blob([ref], { type: 'image/jpeg' }), 'ref.jpg');
        form.set('auth', new Blob([auth], { type: 'image/jpeg' }), 'auth.jpg');
        const res = await fetch(`${url}/verify`, {
          method: 'POST',
          headers: { authorization: `Bearer ${API_KEY}`, 'idempotency-key': 'order-mp' },
          body: form,
        });
        return { status: res.status, headers: res.headers, text: await res.text() };
      };
      const before = await paidCalls();
      const first = await multipart();
      const second = await multipart();
      const asJson = await send(
        url,
        'order-mp',
        JSON.stringify({ refFaceContent: ref.toString('base64'), authFaceContent: auth.toString('base64') }),
      );
      expect(first.status).toBe(200);
      for (const again of [second, asJson]) {
        expect(again.status).toBe(200);
        expect(again.text).toBe(first.text);
        expect(again.headers.get('idempotent-replayed')).toBe('true');
      }
      expect((await paidCalls()) - before).toBe(1);
      // Other photos under the same key are still another request.
      const swapped = await send(
        url,
        'order-mp',
        JSON.stringify({ refFaceContent: auth.toString('base64'), authFaceContent: ref.toString('base64') }),
      );
      expect(swapped.status).toBe(422);
      expect((await paidCalls()) - before).toBe(1);
    });

    it('answers 422 for the same key with a different body, without a paid call', async () => {
      const url = await serveIdem();
      await send(url, 'order-2', await body(30));
      const before = await paidCalls();
      const other = await send(url, 'order-2', await body(40));
      expect(other.status).toBe(422);
      expect(JSON.parse(other.text).error.code).toBe('idempotency_key_reused');
      expect((await paidCalls()) - before).toBe(0);
    });

    it('answers 409 with Retry-After to a duplicate sent while the first is in flight', async () => {
      const url = await serveIdem();
      emulator.setFaults({ instant: true, latencyMs: 250 });
      const text = await body(50);
      const before = await paidCalls();
      const first = send(url, 'order-3', text);
      // Wait (by condition, not time) until the first request holds the key.
      const claimed = async () =>
        (await readdir(dir, { recursive: true })).some((f) => /claim-\d+\.json$/.test(String(f)));
      for (let i = 0; i < 500 && !(await claimed()); i++) await new Promise((r) => setTimeout(r, 5));
      const dup = await send(url, 'order-3', text);
      expect(dup.status).toBe(409);
      expect(JSON.parse(dup.text).error.code).toBe('idempotency_in_flight');
      expect(Number(dup.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect((await first).status).toBe(200);
      expect((await paidCalls()) - before).toBe(1);
    });

    it('refuses the header with 400 when no idempotency store is configured', async () => {
      const url = await serveIdem({ IDV_IDEMPOTENCY_DIR: '' });
      const before = await paidCalls();
      const res = await send(url, 'order-4', await body(60));
      expect(res.status).toBe(400);
      expect(JSON.parse(res.text).error.code).toBe('idempotency_not_configured');
      expect((await paidCalls()) - before).toBe(0);
    });

    it('keeps the uncertain budget across retries of one key: timeouts cost at most 1 + IDV_MAX_UNCERTAIN_RETRIES', async () => {
      const url = await serveIdem();
      emulator.setFaults({ instant: true, latencyMs: SLOW_MS });
      const text = await body(70);
      const before = await paidCalls();
      const replies = [];
      for (let i = 0; i < 3; i++) replies.push(await send(url, 'order-5', text));
      expect(replies.map((r) => r.status)).toEqual([504, 504, 504]);
      expect(replies[2]?.headers.get('idempotent-replayed')).toBe('true');
      expect((await paidCalls()) - before).toBe(2);
    });

    it('lets the next request with the key try again after a failure that cost nothing (throttling)', async () => {
      const url = await serveIdem({ IDV_MAX_UNCERTAIN_RETRIES: '0' });
      emulator.setFaults({ instant: true, throttle: { count: 3 } });
      const text = await body(80);
      const first = await send(url, 'order-6', text);
      expect(first.status).toBe(503);
      const second = await send(url, 'order-6', text);
      expect(second.status).toBe(200);
      expect(second.headers.get('idempotent-replayed')).toBeNull();
    });
  });

  describe('bucket door: paid calls per pair version over events and reruns', () => {
    let root: string;
    let store: ObjectStore;
    const env = (over: Record<string, string> = {}) => ({
      IDV_ENDPOINT: emulator.url,
      IDV_STORE: 'fs',
      IDV_BUCKET_DIR: root,
      IDV_PREFIX: 'cases',
      IDV_RESOURCE_CODE: '00840000',
      IDV_TIMEOUT_MS: String(TIMEOUT_MS),
      IDV_CLAIM_LEASE_MS: '60000',
      IDV_RETRY_BASE_MS: '0',
      IDV_RETRY_MAX_MS: '0',
      ALIBABA_CLOUD_ACCESS_KEY_ID: KEY.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: KEY.accessKeySecret,
      ...upstream.env,
      ...over,
    });
    const putPair = async (caseId: string, seed: number) => {
      await store.put(`cases/${caseId}/ref.jpg`, await jpeg(seed));
      await store.put(`cases/${caseId}/auth.jpg`, await jpeg(seed + 1000));
    };
    const rerun = (force = false, dryRun = false) => {
      const settings = {
        ...DEFAULT_CASE_SETTINGS,
        prefix: 'cases',
        defaultResourceCode: '00840000',
        retryBaseMs: 0,
        retryMaxMs: 0,
      };
      const client = createIdvClient({
        api: upstream.api,
        endpoint: emulator.url,
        timeoutMs: TIMEOUT_MS,
        credentials: () => KEY,
      });
      const logger = createLogger({ level: 'error', write: () => {} });
      const runner = createInlineRunner({ store, client, clock: systemClock, logger, settings });
      const seen: { caseId: string; reason: string }[] = [];
      return runRerun(
        { store, clock: systemClock, logger, runner },
        {
          prefix: 'cases',
          concurrency: 2,
          useCursor: false,
          force,
          dryRun,
          onCase: (e) => seen.push({ caseId: e.caseId, reason: e.decision.reason }),
        },
      ).then((report) => ({ report, seen }));
    };

    beforeEach(async () => {
      root = await mkdtemp(path.join(tmpdir(), 'money-it-'));
      store = createFsStore({ root });
    });
    afterEach(async () => {
      await rm(root, { recursive: true, force: true });
    });

    it('pays at most 1 + IDV_MAX_UNCERTAIN_RETRIES for one pair over many events and reruns, then holds it', async () => {
      emulator.setFaults({ instant: true, latencyMs: SLOW_MS });
      const before = await paidCalls();
      const handler = createVerifyOssHandler(env(), { logger: createLogger({ write: () => {} }) });
      await putPair('late', 1);
      for (let i = 0; i < 4; i++) {
        await handler(ossEventBuffer(['cases/late/ref.jpg', 'cases/late/auth.jpg']), fcContext());
      }
      for (let i = 0; i < 3; i++) await rerun();
      expect((await paidCalls()) - before).toBe(2);
      const result = await readResult(store, { prefix: 'cases', caseId: 'late' });
      expect(result).toMatchObject({
        status: 'held',
        paidAttempts: 0,
        uncertainAttempts: 2,
        error: { code: 'UncertainOutcome' },
      });
      // The operator sees it in a dry run, and --force settles it with one more call.
      const dry = await rerun(false, true);
      expect(dry.report.counts.held).toBe(1);
      expect(dry.seen).toContainEqual({ caseId: 'late', reason: 'held' });
      emulator.setFaults({ instant: true });
      const forced = await rerun(true);
      expect(forced.report.counts.verified).toBe(1);
      expect(await readResult(store, { prefix: 'cases', caseId: 'late' })).toMatchObject({
        status: 'verified',
        paidAttempts: 1,
        uncertainAttempts: 2,
      });
      expect((await paidCalls()) - before).toBe(3);
    });

    it('holds a pair after one paid call when the success reply cannot be read (malformedSuccess)', async () => {
      emulator.setFaults({ instant: true, malformedSuccess: { count: 1 } });
      const before = await paidCalls();
      const handler = createVerifyOssHandler(env(), { logger: createLogger({ write: () => {} }) });
      await putPair('garbled', 7);
      await handler(ossEventBuffer(['cases/garbled/ref.jpg', 'cases/garbled/auth.jpg']), fcContext());
      for (let i = 0; i < 3; i++) await rerun();
      expect((await paidCalls()) - before).toBe(1);
      const result = await readResult(store, { prefix: 'cases', caseId: 'garbled' });
      expect(result).toMatchObject({ status: 'held', uncertainAttempts: 1, attempts: 1 });
      expect(result?.requestId).toMatch(/^[0-9A-F-]{36}$/);
    });

    it('writes the attempt record before the request leaves, and a success records one paid attempt', async () => {
      const handler = createVerifyOssHandler(env(), { logger: createLogger({ write: () => {} }) });
      await putPair('fine', 11);
      await handler(ossEventBuffer(['cases/fine/ref.jpg', 'cases/fine/auth.jpg']), fcContext());
      const keys = (await store.list({ prefix: 'cases/fine/' })).entries.map((e) => e.key);
      expect(keys.some((k) => /\.sent-000001-1\.json$/.test(k))).toBe(true);
      expect(await readResult(store, { prefix: 'cases', caseId: 'fine' })).toMatchObject({
        status: 'verified',
        paidAttempts: 1,
        uncertainAttempts: 0,
      });
    });
  });
});
