/**
 * The signed client (shared/idv/client.ts) against the emulator and small stub servers on 127.0.0.1:
 * verdicts, every error code, retries with exact attempt counts, timeouts, the deadline, fresh signatures.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../../local/emulator/server.ts';
import { createIdvClient, type IdvClientOptions } from '../../../shared/idv/client.ts';
import { IdvError } from '../../../shared/idv/errors.ts';
import type { Credentials, VerifyRequest } from '../../../shared/idv/types.ts';
import { createLogger } from '../../../shared/log.ts';
import { createFakeEngine, type FakeEngine } from './fake-engine.ts';
import { b64, startProxy, testKey } from './helpers.ts';

const key = testKey();
const stsKey = testKey({ securityToken: 'sts-token-1' });
const quotaKey = testKey({ dailyQuota: 1 });
const inactiveKey = testKey({ activated: false });
let engine: FakeEngine;
let emulator: Emulator;

beforeAll(async () => {
  engine = createFakeEngine();
  emulator = await startEmulator({ engine, keys: [key, stsKey, quotaKey, inactiveKey] });
});
afterAll(() => emulator.close());
afterEach(() => emulator.setFaults({}));

const request = (ref = 'alice-1', auth = 'alice-2', resourceCode = '00840000'): VerifyRequest => ({
  refFaceContent: b64(ref),
  authFaceContent: b64(auth),
  resourceCode,
});

const credentialsOf =
  (k: { accessKeyId: string; accessKeySecret: string; securityToken?: string }) => () => ({
    accessKeyId: k.accessKeyId,
    accessKeySecret: k.accessKeySecret,
    ...(k.securityToken ? { securityToken: k.securityToken } : {}),
  });

const client = (over: Partial<IdvClientOptions> = {}) =>
  createIdvClient({ endpoint: emulator.url, credentials: credentialsOf(key), random: () => 0, ...over });

async function failure(promise: Promise<unknown>): Promise<IdvError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(IdvError);
    return err as IdvError;
  }
  throw new Error('expected verify() to fail');
}

const outcomes = () => emulator.stats().byKey[key.accessKeyId] ?? {};

/** Polls a condition (bounded): waits on what a test needs, never on a fixed time. */
async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('createIdvClient verdicts', () => {
  it('passes the same person', async () => {
    const verdict = await client().verify(request());
    expect(verdict).toMatchObject({ passed: true, result: true, faceAttack: false, score: 92, attempts: 1 });
    expect(verdict.retCode).toBe('OK_SUCCESS');
    expect(verdict.requestId).toMatch(/^[0-9A-F-]{36}$/);
  });

  it('fails different people', async () => {
    expect(await client().verify(request('alice-1', 'bob-1'))).toMatchObject({
      passed: false,
      result: false,
    });
  });

  it('reports a replayed photo as a face attack with result false', async () => {
    expect(await client().verify(request('alice-1', 'alice-1'))).toMatchObject({
      passed: true,
      result: false,
      faceAttack: true,
    });
  });
});

describe('createIdvClient concurrency', () => {
  it('answers 20 concurrent calls, each signed with its own nonce', async () => {
    const before = outcomes().passed ?? 0;
    const c = client();
    const verdicts = await Promise.all(
      Array.from({ length: 20 }, (_, i) => c.verify(request(`p${i}-1`, `p${i}-2`))),
    );
    expect(verdicts.every((v) => v.result && v.attempts === 1)).toBe(true);
    expect(new Set(verdicts.map((v) => v.requestId)).size).toBe(20);
    expect((outcomes().passed ?? 0) - before).toBe(20);
  });
});

describe('createIdvClient errors', () => {
  it.each([
    ['an unknown resourceCode', request('a-1', 'a-2', '99999999'), 'InvalidResourceCode'],
    ['a photo without a face', request('noface-1', 'a-2'), 'UnableGetImage'],
  ])('maps %s to %s without retrying', async (_name, req, code) => {
    const err = await failure(client().verify(req));
    expect(err).toMatchObject({ code, attempts: 1 });
    expect(err.requestId).toMatch(/^[0-9A-F-]{36}$/);
  });

  it('refuses a photo with a data: prefix before any call (never reaches the paid API)', async () => {
    const before = emulator.stats().requests;
    const err = await failure(
      client().verify({ ...request(), refFaceContent: `data:image/jpeg;base64,${b64('x')}` }),
    );
    expect(err).toMatchObject({ code: 'InvalidParameters', attempts: 0 });
    expect(emulator.stats().requests).toBe(before);
  });

  it('maps a spent daily quota to QuotaExceeded (402)', async () => {
    const c = client({ credentials: credentialsOf(quotaKey) });
    await c.verify(request());
    const err = await failure(c.verify(request()));
    expect(err).toMatchObject({ code: 'QuotaExceeded', httpStatus: 402, attempts: 1 });
  });

  it('maps a key whose service is not activated to NotActivated (403)', async () => {
    const err = await failure(client({ credentials: credentialsOf(inactiveKey) }).verify(request()));
    expect(err).toMatchObject({ code: 'NotActivated', httpStatus: 403, attempts: 1 });
  });

  it.each([
    ['an unknown key', () => ({ accessKeyId: 'LTAInobody', accessKeySecret: 'whatever1' })],
    ['a wrong secret', () => ({ accessKeyId: key.accessKeyId, accessKeySecret: 'wrong-secret' })],
    ['an STS key without its token', credentialsOf({ ...stsKey, securityToken: undefined })],
    ['an STS key with another token', credentialsOf({ ...stsKey, securityToken: 'sts-token-2' })],
  ])('maps %s to AuthFailed without retrying', async (_name, credentials) => {
    const err = await failure(client({ credentials }).verify(request()));
    expect(err).toMatchObject({ code: 'AuthFailed', attempts: 1 });
  });

  it('keeps the photos and the key out of the error when the gateway echoes its StringToSign', async () => {
    const lines: string[] = [];
    const logger = createLogger({ write: (l) => lines.push(l) });
    const credentials = () => ({ accessKeyId: key.accessKeyId, accessKeySecret: 'wrong-secret' });
    const photo = 'q'.repeat(600);
    const err = await failure(client({ credentials, logger }).verify(request(photo, `${photo}-2`)));
    expect(err.code).toBe('AuthFailed');
    const everything = `${err.message}\n${lines.join('\n')}`;
    expect(everything).not.toMatch(/string to sign/i);
    expect(everything).not.toContain(b64(photo).slice(0, 40));
    expect(everything).not.toContain(key.accessKeyId);
  });

  it('accepts STS credentials with their SecurityToken', async () => {
    await expect(client({ credentials: credentialsOf(stsKey) }).verify(request())).resolves.toMatchObject({
      result: true,
    });
  });

  it("uses the call's own credentials (FC context.credentials) over the provider", async () => {
    const c = client({
      credentials: () => {
        throw new Error('provider must not be read');
      },
    });
    const verdict = await c.verify(request(), { credentials: credentialsOf(stsKey)() });
    expect(verdict.result).toBe(true);
    expect(emulator.stats().byKey[stsKey.accessKeyId]?.passed).toBeGreaterThanOrEqual(1);
  });

  it('signs each call with the credentials read for it when they rotate, and back', async () => {
    const sequence = [key, stsKey, { ...stsKey, securityToken: 'sts-token-2' }, key];
    let read = 0;
    const c = client({ credentials: () => credentialsOf(sequence[read++] ?? key)() });
    const before = {
      plain: outcomes().passed ?? 0,
      sts: emulator.stats().byKey[stsKey.accessKeyId]?.passed ?? 0,
    };
    await expect(c.verify(request())).resolves.toMatchObject({ result: true });
    await expect(c.verify(request())).resolves.toMatchObject({ result: true });
    // The same key with another token must be signed with that token (the emulator refuses it).
    expect((await failure(c.verify(request()))).code).toBe('AuthFailed');
    await expect(c.verify(request())).resolves.toMatchObject({ result: true });
    expect(outcomes().passed).toBe(before.plain + 2);
    expect(emulator.stats().byKey[stsKey.accessKeyId]?.passed).toBe(before.sts + 1);
  });

  it('maps a credentials provider that throws to AuthFailed', async () => {
    const err = await failure(
      client({
        credentials: () => {
          throw new Error('no STS');
        },
      }).verify(request()),
    );
    expect(err.code).toBe('AuthFailed');
  });

  it('maps an HTML gateway page to Protocol and retries it', async () => {
    const stub = await stubServer((_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
    });
    try {
      const err = await failure(client({ endpoint: stub.url, retry: { maxAttempts: 2 } }).verify(request()));
      expect(err).toMatchObject({ code: 'Protocol', attempts: 2 });
      expect(stub.hits()).toBe(2);
    } finally {
      await stub.close();
    }
  });

  it('maps a refused connection to Network', async () => {
    const stub = await stubServer(() => {});
    await stub.close();
    const err = await failure(client({ endpoint: stub.url, retry: { maxAttempts: 2 } }).verify(request()));
    expect(err).toMatchObject({ code: 'Network', attempts: 2 });
  });
});

describe('createIdvClient retries', () => {
  it('retries injected 500s and succeeds on the third attempt', async () => {
    emulator.setFaults({ systemError: { count: 2 } });
    const before = outcomes().systemError ?? 0;
    const verdict = await client({ retry: { maxAttempts: 3 } }).verify(request());
    expect(verdict).toMatchObject({ result: true, attempts: 3 });
    expect((outcomes().systemError ?? 0) - before).toBe(2);
  });

  it('retries gateway throttling (Throttling.User) and succeeds on the third attempt', async () => {
    emulator.setFaults({ throttle: { count: 2 } });
    expect(await client().verify(request())).toMatchObject({ result: true, attempts: 3 });
  });

  it('retries PROCESSING once and succeeds on the second attempt', async () => {
    emulator.setFaults({ processing: { count: 1 } });
    expect(await client().verify(request())).toMatchObject({ attempts: 2 });
  });

  it('gives up after maxAttempts with the last error', async () => {
    emulator.setFaults({ systemError: { count: 10 } });
    const err = await failure(client({ retry: { maxAttempts: 4 } }).verify(request()));
    expect(err).toMatchObject({ code: 'SystemError', attempts: 4, httpStatus: 500 });
  });

  it('signs every attempt anew (distinct SignatureNonce and fresh signature), all accepted', async () => {
    emulator.setFaults({ systemError: { count: 2 } });
    const proxy = await startProxy(emulator.url);
    try {
      await client({ endpoint: proxy.url }).verify(request());
      const sent = proxy.captured.map((c) => new URLSearchParams(c.body.toString('utf8')));
      expect(sent).toHaveLength(3);
      expect(new Set(sent.map((p) => p.get('SignatureNonce'))).size).toBe(3);
      expect(new Set(sent.map((p) => p.get('Signature'))).size).toBe(3);
      expect(
        sent.every((p) => p.get('Action') === 'ExecuteRequest' && p.get('Version') === '2019-05-21'),
      ).toBe(true);
    } finally {
      await proxy.close();
    }
  });

  it('reads the credentials before every attempt (rotating STS keys)', async () => {
    emulator.setFaults({ systemError: { count: 1 } });
    const reads: Credentials[] = [];
    const credentials = () => {
      const c = credentialsOf(key)();
      reads.push(c);
      return c;
    };
    await client({ credentials }).verify(request());
    expect(reads).toHaveLength(2);
  });

  it("waits longer than pop-core's own 3 s default by default (10 s per attempt)", async () => {
    emulator.setFaults({ latencyMs: 3_300 });
    expect(await client().verify(request())).toMatchObject({ result: true, attempts: 1 });
  });

  it('times out a hanging upstream and retries it once (a timeout may have been billed)', async () => {
    emulator.setFaults({ hang: { count: 1 } });
    const verdict = await client({ timeoutMs: 300 }).verify(request());
    expect(verdict).toMatchObject({ result: true, attempts: 2, paidAttempts: 1, uncertainAttempts: 1 });
  });

  it('gives up after 1 + maxUncertainRetries timed-out attempts, even with attempts left', async () => {
    emulator.setFaults({ hang: { count: 3 } });
    const err = await failure(
      client({ timeoutMs: 300, retry: { maxAttempts: 5, maxUncertainRetries: 1 } }).verify(request()),
    );
    expect(err).toMatchObject({ code: 'Timeout', attempts: 2, uncertainAttempts: 2, paidAttempts: 0 });
  });

  it('reports Timeout when every attempt hangs', async () => {
    emulator.setFaults({ hang: { share: 1 } });
    const err = await failure(client({ timeoutMs: 200, retry: { maxAttempts: 2 } }).verify(request()));
    expect(err).toMatchObject({ code: 'Timeout', attempts: 2 });
  });

  it('never waits past the deadline: the attempt timeout shrinks to the time left', async () => {
    emulator.setFaults({ hang: { share: 1 } });
    const err = await failure(
      client({ timeoutMs: 60_000, retry: { maxAttempts: 5, minAttemptMs: 50 } }).verify(request(), {
        deadlineEpochMs: Date.now() + 1_000,
      }),
    );
    // The attempt was given the time left (at most 1 s) instead of 60 s; when it timed out no time was left,
    // so no second attempt started. This holds however slow the machine is: an attempt lasts its timeout.
    expect(err).toMatchObject({ code: 'Timeout', attempts: 1 });
    const givenMs = Number(/within (\d+) ms/.exec(err.message)?.[1]);
    expect(givenMs).toBeGreaterThan(0);
    expect(givenMs).toBeLessThanOrEqual(1_000);
  });

  it('sends nothing when less than IDV_MIN_ATTEMPT_MS (default 2 s) is left: a late attempt is billed, then cut off', async () => {
    const before = emulator.stats().requests;
    const err = await failure(client().verify(request(), { deadlineEpochMs: Date.now() + 1_500 }));
    expect(err).toMatchObject({ code: 'DeadlineExceeded', attempts: 0 });
    expect(err.message).toMatch(/at least 2000 ms needed\): nothing was sent/);
    expect(emulator.stats().requests).toBe(before);
  });

  it('fails with DeadlineExceeded and makes no call when the deadline has passed', async () => {
    const before = emulator.stats().requests;
    const err = await failure(client().verify(request(), { deadlineEpochMs: Date.now() - 1 }));
    expect(err).toMatchObject({ code: 'DeadlineExceeded', attempts: 0 });
    expect(emulator.stats().requests).toBe(before);
  });

  it('stops at once when the caller aborts', async () => {
    emulator.setFaults({ hang: { share: 1 } });
    const controller = new AbortController();
    const hangsBefore = outcomes().hang ?? 0;
    const pending = client({ timeoutMs: 30_000 }).verify(request(), { signal: controller.signal });
    await waitFor(() => (outcomes().hang ?? 0) > hangsBefore); // the request hangs at the emulator
    controller.abort();
    const err = await failure(pending);
    expect(err).toMatchObject({ code: 'Aborted', attempts: 1 });
  });

  it('waits the jittered backoff between attempts', async () => {
    emulator.setFaults({ systemError: { count: 2 } });
    const delays: number[] = [];
    const randoms = [0.5, 0.25];
    await client({
      retry: { baseDelayMs: 100, maxDelayMs: 1000 },
      random: () => randoms.shift() ?? 0,
      sleep: async (ms) => {
        delays.push(ms);
      },
    }).verify(request());
    expect(delays).toEqual([50, 50]);
  });
});

describe('createIdvClient logging', () => {
  it('logs outcome, attempts and RequestId, never photos or secrets', async () => {
    emulator.setFaults({ systemError: { count: 1 } });
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', write: (l) => lines.push(l) });
    const photo = 'p'.repeat(400);
    await client({ logger }).verify(request(photo, `${photo}-2`));
    const all = lines.join('\n');
    expect(all).toContain('"msg":"idv retry"');
    expect(all).toContain('"msg":"idv verify"');
    expect(all).not.toContain(b64(photo).slice(0, 40));
    expect(all).not.toContain(key.accessKeySecret);
  });

  it("writes the call's lines with the caller's logger, the upstream RequestId as upstreamRequestId", async () => {
    const own: string[] = [];
    const caller: string[] = [];
    const client_ = client({ logger: createLogger({ write: (l) => own.push(l) }) });
    const verdict = await client_.verify(request(), {
      logger: createLogger({ write: (l) => caller.push(l) }).child({ caseId: 'c-42' }),
    });
    expect(own).toEqual([]);
    const line = caller.map((l) => JSON.parse(l)).find((l) => l.msg === 'idv verify');
    expect(line).toMatchObject({ caseId: 'c-42', upstreamRequestId: verdict.requestId });
    expect(line.requestId).toBeUndefined();
  });
});

describe('createIdvClient outcome names', () => {
  const outcomeOf = async (req: VerifyRequest, over: Partial<IdvClientOptions> = {}) => {
    const lines: string[] = [];
    const logger = createLogger({ write: (l) => lines.push(l) });
    await client({ logger, retry: { maxAttempts: 1 }, ...over })
      .verify(req)
      .catch(() => undefined);
    const line = lines.map((l) => JSON.parse(l)).find((l) => String(l.msg).startsWith('idv verify'));
    return line?.outcome;
  };

  it('logs not_same_person (not failed) when the faces differ', async () => {
    expect(await outcomeOf(request('alice-1', 'bob-1'))).toBe('not_same_person');
  });

  it('logs verified when the faces match, attack_suspected for a replayed photo', async () => {
    expect(await outcomeOf(request('alice-1', 'alice-2'))).toBe('verified');
    expect(await outcomeOf(request('alice-1', 'alice-1'))).toBe('attack_suspected');
  });

  it('logs refused when the API says no, failed when nothing answers', async () => {
    expect(await outcomeOf(request(), { credentials: credentialsOf(inactiveKey) })).toBe('refused');
    expect(await outcomeOf(request(), { endpoint: 'http://127.0.0.1:1' })).toBe('failed');
  });
});

async function stubServer(handler: http.RequestListener) {
  let hits = 0;
  const server = http.createServer((req, res) => {
    hits++;
    req.resume();
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits: () => hits,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
