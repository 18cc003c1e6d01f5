/**
 * The emulator's service behaviour over real HTTP, driven by pop-core (as the documentation's samples are):
 * documented replies and codes, the emulator's sub-codes, faults changed at run time, the stats endpoint.
 */
import RPCClient from '@alicloud/pop-core';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, STATS_PATH, startEmulator } from '../../../local/emulator/server.ts';
import { EmulatorStatsSchema } from '../../../local/emulator/stats.ts';
import { createLogger } from '../../../shared/log.ts';
import { createFakeEngine, type FakeEngine } from './fake-engine.ts';
import { b64, rejection, serviceParameters, testKey } from './helpers.ts';

const key = testKey();
let engine: FakeEngine;
let emulator: Emulator;
let logLines: string[];

beforeEach(async () => {
  engine = createFakeEngine();
  logLines = [];
  emulator = await startEmulator({
    engine,
    keys: [key],
    logger: createLogger({ write: (l) => logLines.push(l) }),
  });
});
afterEach(() => emulator.close());

type Reply = { Code: number | string; Message: string; RequestId: string; Data?: string };
const pop = (url = emulator.url) => new RPCClient({ endpoint: url, apiVersion: '2019-05-21', ...key });
const call = (params: Record<string, string>, method: 'POST' | 'GET' = 'POST') =>
  pop().request<Reply>('ExecuteRequest', params, { method, timeout: 10_000 });
const verify = (sp = serviceParameters()) => call({ Service: 'intl_face_verify', ServiceParameters: sp });
const dataOf = (reply: { Data?: unknown }) => JSON.parse(reply.Data as string);

describe('startEmulator service answers', () => {
  it('answers the documented success shape with Data as a JSON string of strings', async () => {
    const reply = await verify();
    expect(reply).toMatchObject({ Code: 200, Message: 'OK' });
    expect(typeof reply.Data).toBe('string');
    expect(dataOf(reply)).toEqual({
      passed: 'true',
      retCode: 'OK_SUCCESS',
      retCodeSub: 'Z1140',
      retMessage: 'Facial recognition passed (Z1140)',
      extInfo: { result: 'true', score: '92.0', faceAttack: 'false' },
    });
    expect(engine.calls).toEqual([{ ref: 'alice-1', auth: 'alice-2' }]);
  });

  it('answers different faces with passed and result "false" (Z9001)', async () => {
    const data = dataOf(await verify(serviceParameters('alice-1', 'bob-1')));
    expect(data).toMatchObject({
      passed: 'false',
      retCodeSub: 'Z9001',
      extInfo: { result: 'false', score: '21.5' },
    });
  });

  it('answers an attack with result "false" and faceAttack "true" (Z9002)', async () => {
    const data = dataOf(await verify(serviceParameters('alice-1', 'alice-1')));
    expect(data).toMatchObject({ retCodeSub: 'Z9002', extInfo: { result: 'false', faceAttack: 'true' } });
  });

  it('answers a photo the engine cannot judge with UNABLE_GET_IMAGE and a sub-code per reason', async () => {
    const data = dataOf(await verify(serviceParameters('alice-1', 'noface-1')));
    expect(data).toMatchObject({ passed: 'false', retCode: 'UNABLE_GET_IMAGE', retCodeSub: 'Z9106' });
    expect(data.retMessage).toContain('authFaceContent');
  });

  it('answers photos that are not base64 with UNABLE_GET_IMAGE Z9110, without calling the engine', async () => {
    const sp = JSON.stringify({
      refFaceContent: 'data:image/jpeg;base64,AAAA',
      authFaceContent: b64('a'),
      resourceCode: '00840000',
    });
    expect(dataOf(await verify(sp))).toMatchObject({ retCode: 'UNABLE_GET_IMAGE', retCodeSub: 'Z9110' });
    expect(engine.calls).toHaveLength(0);
  });

  it.each([
    ['refFaceContent', { authFaceContent: b64('a'), resourceCode: '00840000' }],
    ['authFaceContent', { refFaceContent: b64('a'), resourceCode: '00840000' }],
    ['resourceCode', { refFaceContent: b64('a'), authFaceContent: b64('a') }],
    ['an empty field', { refFaceContent: '', authFaceContent: b64('a'), resourceCode: '00840000' }],
  ])('answers a missing %s with 400 and the documented message', async (_name, fields) => {
    const err = await rejection(verify(JSON.stringify(fields)));
    expect(err.code).toBe(400);
    expect(err.data).toMatchObject({
      Code: 400,
      Message: 'refFaceContent or authFaceContent or resourceCode is null',
    });
  });

  it('answers ServiceParameters that are not JSON with 400', async () => {
    expect((await rejection(verify('{nope'))).code).toBe(400);
  });

  it('answers an unknown resourceCode with the documented 500 SYSTEM_ERROR Z1141', async () => {
    const err = await rejection(verify(serviceParameters('a-1', 'a-2', '12345678')));
    expect(err.code).toBe(500);
    expect(err.data).toMatchObject({ Code: 500, Message: 'system error' });
    expect(dataOf(err.data!)).toEqual({
      passed: 'false',
      retCode: 'SYSTEM_ERROR',
      retCodeSub: 'Z1141',
      retMessage: 'resourceCode value invalid',
    });
  });

  it('answers another Service with 404', async () => {
    const err = await rejection(call({ Service: 'other_service', ServiceParameters: serviceParameters() }));
    expect(err.code).toBe(404);
  });

  it('answers another Action with InvalidApi.NotFound and another Version with InvalidVersion', async () => {
    const other = await rejection(pop().request('DescribeRegions', {}, { method: 'POST' }));
    expect(other.code).toBe('InvalidApi.NotFound');
    const version = new RPCClient({ endpoint: emulator.url, apiVersion: '2018-09-19', ...key });
    const err = await rejection(
      version.request('ExecuteRequest', { Service: 'intl_face_verify' }, { method: 'POST' }),
    );
    expect(err.code).toBe('InvalidVersion');
  });

  it('answers a GET that carries two 300 KB photos in its query string (beyond the 16 KB Node default)', async () => {
    const big = 'z'.repeat(300_000);
    const reply = await call(
      { Service: 'intl_face_verify', ServiceParameters: serviceParameters(big, `${big}-2`) },
      'GET',
    );
    expect(reply.Code).toBe(200);
    expect(engine.calls[0]?.ref).toHaveLength(300_000);
  });

  it('answers GET requests like POST requests', async () => {
    expect(
      await call({ Service: 'intl_face_verify', ServiceParameters: serviceParameters() }, 'GET'),
    ).toMatchObject({
      Code: 200,
    });
  });

  it('answers 500 SYSTEM_ERROR Z9303 when the engine fails', async () => {
    await emulator.close();
    emulator = await startEmulator({ engine: createFakeEngine({ fail: true }), keys: [key] });
    const err = await rejection(verify());
    expect(err.code).toBe(500);
    expect(dataOf(err.data!)).toMatchObject({ retCode: 'SYSTEM_ERROR', retCodeSub: 'Z9303' });
  });

  it("echoes its StringToSign on SignatureDoesNotMatch, as Alibaba's gateway does", async () => {
    const wrong = new RPCClient({
      endpoint: emulator.url,
      apiVersion: '2019-05-21',
      ...key,
      accessKeySecret: 'nope-nope',
    });
    const err = await rejection(
      wrong.request('ExecuteRequest', { Service: 'intl_face_verify' }, { method: 'POST' }),
    );
    expect(err.code).toBe('SignatureDoesNotMatch');
    expect(err.data?.Message).toMatch(
      /^Specified signature is not matched with our calculation\. server string to sign is:POST&%2F&AccessKeyId%3D/,
    );
  });

  it('answers instant mode without an engine, and 500 Z9303 once instant mode is switched off', async () => {
    await emulator.close();
    emulator = await startEmulator({ engine: undefined, keys: [key], faults: { instant: true } });
    expect((await verify()).Code).toBe(200);
    emulator.setFaults({});
    const err = await rejection(verify());
    expect(err.code).toBe(500);
    expect(dataOf(err.data!)).toMatchObject({ retCodeSub: 'Z9303' });
  });

  it('refuses a body over maxBodyBytes with 413 RequestEntityTooLarge', async () => {
    await emulator.close();
    emulator = await startEmulator({ engine, keys: [key], maxBodyBytes: 1000 });
    const err = await rejection(verify(serviceParameters('a'.repeat(2000), 'a-2')));
    expect(err.code).toBe('RequestEntityTooLarge');
    expect(engine.calls).toHaveLength(0);
  });

  it('refuses methods other than GET and POST', async () => {
    const res = await fetch(emulator.url, { method: 'PUT', body: 'x' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ Code: 'UnsupportedHTTPMethod' });
  });

  it('refuses an unsigned request with Missing<Name>, naming the first missing parameter', async () => {
    const res = await fetch(`${emulator.url}/?Action=ExecuteRequest`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ Code: 'MissingAccessKeyId' });
  });
});

describe('startEmulator faults', () => {
  it('changes faults at run time with setFaults', async () => {
    emulator.setFaults({ processing: { count: 1 } });
    expect(dataOf(await verify())).toMatchObject({ retCode: 'PROCESSING', retCodeSub: 'Z9301' });
    expect(dataOf(await verify())).toMatchObject({ retCode: 'OK_SUCCESS' });
    emulator.setFaults({ systemError: { share: 1 } });
    expect((await rejection(verify())).code).toBe(500);
    emulator.setFaults({});
    expect((await verify()).Code).toBe(200);
  });

  it('answers instantly without the engine in instant mode', async () => {
    emulator.setFaults({ instant: true });
    expect(dataOf(await verify(serviceParameters('alice-1', 'bob-1')))).toMatchObject({ passed: 'true' });
    expect(engine.calls).toHaveLength(0);
    expect(emulator.stats().byOutcome.instant).toBe(1);
  });

  it('still answers with added latency', async () => {
    emulator.setFaults({ latencyMs: 20 });
    expect((await verify()).Code).toBe(200);
  });

  it('draws fault shares from the injected random source', async () => {
    await emulator.close();
    const draws = [0.1, 0.9];
    emulator = await startEmulator({
      engine,
      keys: [key],
      faults: { systemError: { share: 0.5 } },
      random: () => draws.shift() ?? 0.9,
    });
    expect((await rejection(verify())).code).toBe(500);
    expect((await verify()).Code).toBe(200);
  });

  it('drops hanging requests when it closes', async () => {
    emulator.setFaults({ hang: { share: 1 } });
    const pending = rejection(verify());
    await waitFor(() => (emulator.stats().byOutcome.hang ?? 0) === 1);
    expect(emulator.stats().byKey[key.accessKeyId]?.hang).toBe(1);
    await emulator.close();
    const err = (await pending) as { code?: string };
    expect(err.code).toBe('ECONNRESET');
  });

  it('refuses fault settings out of range', () => {
    expect(() => emulator.setFaults({ systemError: { share: 2 } })).toThrow();
  });
});

describe('GET /__emulator/stats', () => {
  it('reports calls per key and outcome', async () => {
    await verify();
    await verify(serviceParameters('alice-1', 'bob-1'));
    await rejection(verify(serviceParameters('a-1', 'a-2', '12345678')));
    await rejection(
      new RPCClient({ endpoint: emulator.url, apiVersion: '2019-05-21', ...testKey() }).request(
        'ExecuteRequest',
        {},
        { method: 'POST' },
      ),
    );
    const res = await fetch(`${emulator.url}${STATS_PATH}`);
    const stats = EmulatorStatsSchema.parse(await res.json());
    expect(stats).toMatchObject({ requests: 4, engineCalls: 2, inFlight: 0 });
    expect(stats.byKey[key.accessKeyId]).toEqual({ passed: 1, facesDiffer: 1, invalidResourceCode: 1 });
    expect(stats.byOutcome['InvalidAccessKeyId.NotFound']).toBe(1);
    expect(emulator.stats()).toEqual(stats);
  });

  it('logs one line per request without photos or secrets', async () => {
    await verify(serviceParameters('x'.repeat(500), 'y'.repeat(500)));
    const all = logLines.join('\n');
    expect(logLines.some((l) => JSON.parse(l).outcome === 'facesDiffer')).toBe(true);
    expect(all).not.toContain(b64('x'.repeat(500)).slice(0, 40));
    expect(all).not.toContain(key.accessKeySecret);
  });
});

describe('startEmulator robustness', () => {
  it('treats keys, actions and header names like valueOf, constructor and __proto__ as plain names', async () => {
    const before = emulator.stats().requests;
    const query = new URLSearchParams({ Action: 'valueOf', AccessKeyId: 'constructor', __proto__: 'x' });
    const rpc = await fetch(`${emulator.url}/?${query}`, { method: 'POST' });
    const v3 = await fetch(`${emulator.url}/`, {
      method: 'POST',
      headers: {
        authorization:
          'ACS3-HMAC-SHA256 Credential=__proto__,SignedHeaders=constructor;toString,Signature=00',
        'x-acs-action': 'toString',
      },
    });
    for (const res of [rpc, v3]) {
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(((await res.json()) as { Code: unknown }).Code).toEqual(expect.any(String));
    }
    const stats = emulator.stats();
    expect(stats.requests).toBe(before + 2);
    expect(stats.inFlight).toBe(0);
  });

  it('answers any request with a JSON error carrying a Code and RequestId, never crashing (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
        fc.constantFrom('/', '/x', '/?', '/%zz'),
        fc.dictionary(
          fc.constantFrom('Action', 'AccessKeyId', 'Signature', 'Timestamp', 'SignatureNonce', 'x'),
          fc.string(),
        ),
        fc.constantFrom('application/x-www-form-urlencoded', 'application/json', 'text/plain'),
        fc.string({ maxLength: 200 }),
        fc.option(
          fc.constantFrom(
            'ACS3-HMAC-SHA256 Credential=a,SignedHeaders=host,Signature=00',
            'ACS3-HMAC-SHA256 Credential=valueOf,SignedHeaders=constructor;__proto__;host,Signature=00',
            'ACS3-x',
            'Bearer z',
          ),
        ),
        async (method, path, query, contentType, body, authorization) => {
          const url = `${emulator.url}${path}${path.includes('?') ? '' : '?'}${new URLSearchParams(query)}`;
          const headers: Record<string, string> = { 'content-type': contentType };
          if (authorization) headers.authorization = authorization;
          const res = await fetch(url, { method, headers, body: method === 'GET' ? undefined : body });
          expect(res.status).toBeGreaterThanOrEqual(400);
          expect(res.status).toBeLessThan(500);
          const json = (await res.json()) as Record<string, unknown>;
          expect(json.Code).toEqual(expect.any(String));
          expect(json.RequestId).toEqual(expect.any(String));
        },
      ),
      { numRuns: 60 },
    );
    expect(emulator.stats().inFlight).toBe(0);
    expect(engine.calls).toHaveLength(0);
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(condition()).toBe(true);
}
