/**
 * The deployed handler end to end on loopback: HTTP request -> FC-style runner -> verify-http handler ->
 * pop-core (signed) -> emulator -> on-device face engine, with real photos.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifyHttpHandler } from '../../../functions/verify-http/handler.ts';
import { type Emulator, startEmulator } from '../../../local/emulator/server.ts';
import { createFaceEngine, type LocalFaceEngine } from '../../../local/engine/engine.ts';
import { type RunningServer, startFcHttpRunner } from '../../../local/runner/fc-http.ts';
import { createLogger } from '../../../shared/log.ts';
import { differentPeople, faceCrop, samePersonPair } from '../../helpers/photos.ts';
import { UPSTREAM_MATRIX } from '../../helpers/upstream-matrix.ts';

const API_KEY = 'integration-api-key-0123456789';
const KEYS = {
  good: { accessKeyId: 'LTAIgood', accessKeySecret: 'good-secret-0001' },
  spent: { accessKeyId: 'LTAIspent', accessKeySecret: 'spent-secret-001', dailyQuota: 0 },
  inactive: { accessKeyId: 'LTAIinactive', accessKeySecret: 'inactive-secret-1', activated: false },
};

let engine: LocalFaceEngine;
let emulator: Emulator;
const logLines: string[] = [];
const runners: RunningServer[] = [];

async function serve(
  env: Record<string, string> = {},
  key: { accessKeyId: string; accessKeySecret: string } = KEYS.good,
) {
  const handler = createVerifyHttpHandler(
    {
      IDV_ENDPOINT: emulator.url,
      IDV_API_KEY: API_KEY,
      IDV_RESOURCE_CODE: '00840000',
      ALIBABA_CLOUD_ACCESS_KEY_ID: key.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: key.accessKeySecret,
      ...env,
    },
    { logger: createLogger({ level: 'debug', write: (l) => logLines.push(l) }) },
  );
  const runner = await startFcHttpRunner({ handler });
  runners.push(runner);
  return runner;
}

interface Reply {
  requestId: string;
  result: boolean;
  error: { code: string; field?: string };
  [key: string]: unknown;
}

async function verify(url: string, ref: Buffer, auth: Buffer, extra: Record<string, unknown> = {}) {
  const res = await fetch(`${url}/verify`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      refFaceContent: ref.toString('base64'),
      authFaceContent: auth.toString('base64'),
      ...extra,
    }),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Reply };
}

beforeAll(async () => {
  engine = await createFaceEngine({ workers: 1 });
  emulator = await startEmulator({
    engine,
    keys: Object.values(KEYS),
    logger: createLogger({ level: 'debug', write: (l) => logLines.push(l) }),
  });
});

afterAll(async () => {
  for (const r of runners) await r.close();
  await emulator?.close();
  await engine?.close();
});

describe.each(UPSTREAM_MATRIX)('verify-http over the emulator ($api)', (upstream) => {
  it('passes two photos of the same person', async () => {
    const { url } = await serve(upstream.env);
    const [ref, auth] = await samePersonPair();
    const { status, body, headers } = await verify(url, ref, auth, { reference: 'same-1' });
    expect(status).toBe(200);
    expect(body).toMatchObject({
      passed: true,
      result: true,
      faceAttack: upstream.noAttack,
      retCode: upstream.okRetCode,
      reference: 'same-1',
    });
    // transactionId where the API gives one (Cloudauth-intl), absent otherwise.
    expect(body.transactionId === undefined).toBe(upstream.api === 'intl_face_verify');
    expect(headers.get('x-request-id')).toBe(body.requestId);
  });

  it('fails two photos of different people', async () => {
    const { url } = await serve(upstream.env);
    const [ref, auth] = await differentPeople();
    const { status, body } = await verify(url, ref, auth);
    expect(status).toBe(200);
    expect(body.result).toBe(false);
  });

  it('flags a replayed reference photo as a face attack, or says null where the API does not judge attacks', async () => {
    const { url } = await serve(upstream.env);
    // The reference photo sent again as the face photo (transformed replays are the engine's own tests).
    const ref = await faceCrop(1);
    const { status, body } = await verify(url, ref, ref);
    expect(status).toBe(200);
    if (upstream.judgesAttacks) expect(body).toMatchObject({ faceAttack: true, result: false });
    else expect(body.faceAttack).toBeNull();
  });

  it('accepts the same photos as multipart/form-data', async () => {
    const { url } = await serve(upstream.env);
    const [ref, auth] = await samePersonPair();
    const form = new FormData();
    form.append('ref', new Blob([new Uint8Array(ref)], { type: 'image/jpeg' }), 'ref.jpg');
    form.append('auth', new Blob([new Uint8Array(auth)], { type: 'image/jpeg' }), 'auth.jpg');
    const res = await fetch(`${url}/verify`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}` },
      body: form,
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { result: boolean }).result).toBe(true);
  });

  it('answers the documented status when the daily quota is spent (429 with Retry-After where the API has a quota reply)', async () => {
    const { url } = await serve(upstream.env, KEYS.spent);
    const [ref, auth] = await differentPeople();
    const { status, body, headers } = await verify(url, ref, auth);
    expect([status, body.error.code]).toEqual([upstream.quotaSpent.status, upstream.quotaSpent.httpCode]);
    if (upstream.quotaSpent.status === 429) expect(Number(headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('answers 502 naming the misconfiguration when the service is not activated', async () => {
    const { url } = await serve(upstream.env, KEYS.inactive);
    const [ref, auth] = await differentPeople();
    const { status, body } = await verify(url, ref, auth);
    expect([status, body.error.code]).toEqual([502, 'upstream_not_activated']);
  });

  it.runIf(upstream.usesResourceCode)(
    'answers 502 upstream_invalid_resource_code for a resourceCode the API does not know',
    async () => {
      const { url } = await serve(upstream.env);
      const [ref, auth] = await differentPeople();
      const { status, body } = await verify(url, ref, auth, { resourceCode: '99999999' });
      expect([status, body.error.code]).toEqual([502, 'upstream_invalid_resource_code']);
    },
  );

  it('answers 502 upstream_auth_failed when our access key secret is wrong', async () => {
    const { url } = await serve(upstream.env, {
      accessKeyId: KEYS.good.accessKeyId,
      accessKeySecret: 'not-the-secret',
    });
    const [ref, auth] = await differentPeople();
    const { status, body } = await verify(url, ref, auth);
    expect([status, body.error.code]).toEqual([502, 'upstream_auth_failed']);
  });

  it('retries transient upstream failures and then answers', async () => {
    const { url } = await serve(upstream.env);
    emulator.setFaults({ systemError: { count: 2 } });
    const calls = () =>
      Object.values(emulator.stats().byKey[KEYS.good.accessKeyId] ?? {}).reduce((a, b) => a + b, 0);
    const faults = () => emulator.stats().byKey[KEYS.good.accessKeyId]?.systemError ?? 0;
    const [callsBefore, faultsBefore] = [calls(), faults()];
    try {
      const [ref, auth] = await differentPeople();
      const { status } = await verify(url, ref, auth);
      expect(status).toBe(200);
      expect(faults() - faultsBefore).toBe(2);
      expect(calls() - callsBefore).toBe(3);
    } finally {
      emulator.setFaults({});
    }
  });

  it('answers 504 when the upstream never answers within the budget', async () => {
    const { url } = await serve({ ...upstream.env, IDV_TIMEOUT_MS: '300', IDV_REQUEST_BUDGET_MS: '1000' });
    emulator.setFaults({ hang: { share: 1 } });
    try {
      const [ref, auth] = await differentPeople();
      const { status, body } = await verify(url, ref, auth);
      expect([status, body.error.code]).toEqual([504, 'upstream_timeout']);
    } finally {
      emulator.setFaults({});
    }
  });

  it('refuses an invalid photo before any paid call', async () => {
    const { url } = await serve(upstream.env);
    const before = emulator.stats().requests;
    const { status, body } = await verify(url, Buffer.from('not a photo at all'), await faceCrop(2));
    expect([status, body.error.code, body.error.field]).toEqual([
      415,
      'photo_unsupported_type',
      'refFaceContent',
    ]);
    expect(emulator.stats().requests).toBe(before);
  });

  it('never writes photo bytes, base64, secrets or signatures to the logs', async () => {
    const [ref, auth] = await samePersonPair();
    const { url } = await serve(upstream.env);
    expect((await verify(url, ref, auth)).status).toBe(200);
    expect(logLines.some((l) => l.includes('"msg":"request done"'))).toBe(true);
    const secrets = [API_KEY, ...Object.values(KEYS).map((k) => k.accessKeySecret), 'not-the-secret'];
    const b64 = [ref, auth].map((p) => p.toString('base64'));
    expect(logLines.length).toBeGreaterThan(10);
    for (const line of logLines) {
      for (const secret of secrets) expect(line).not.toContain(secret);
      for (const photo of b64) expect(line).not.toContain(photo.slice(1000, 1100));
      expect(line).not.toMatch(/[A-Za-z0-9+/]{200,}/);
      expect(line).not.toMatch(/Signature=[^&"[]/);
      expect(line).not.toContain('\\u00ff\\u00d8');
    }
  });
});
