/**
 * Conformance: Alibaba's own clients (pop-core, openapi-client's doRPCRequest with signature v1 and its callApi
 * with V3 ACS3-HMAC-SHA256) are accepted and answered; a tampered parameter or body, a replayed request and an
 * old timestamp are rejected under each scheme. Everything over real HTTP on 127.0.0.1.
 */
import RPCClient from '@alicloud/pop-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../../local/emulator/server.ts';
import { createFakeEngine } from './fake-engine.ts';
import {
  type Captured,
  type OpenApiCredentials,
  openApiClient,
  rejection,
  replaceParam,
  send,
  serviceParameters,
  startProxy,
  testKey,
} from './helpers.ts';

type Call = (
  url: string,
  key: OpenApiCredentials,
  params: Record<string, string>,
) => Promise<Record<string, unknown>>;

const popCore =
  (method: 'POST' | 'GET'): Call =>
  async (url, key, params) =>
    new RPCClient({ endpoint: url, apiVersion: '2019-05-21', ...key }).request<Record<string, unknown>>(
      'ExecuteRequest',
      params,
      { method, timeout: 10_000 },
    );

const SCHEMES: Array<[string, Call]> = [
  ['pop-core POST (v1, form body)', popCore('POST')],
  ['pop-core GET (v1, query)', popCore('GET')],
  [
    'openapi-client doRPCRequest POST (v1, form body)',
    async (u, k, p) => (await openApiClient(u, k).rpc(p)).body,
  ],
  [
    'openapi-client doRPCRequest GET (v1, query)',
    async (u, k, p) => (await openApiClient(u, k).rpc(p, 'GET')).body,
  ],
  ['openapi-client callApi (V3, query)', async (u, k, p) => (await openApiClient(u, k).v3(p)).body],
  [
    'openapi-client callApi (V3, form body)',
    async (u, k, p) => (await openApiClient(u, k).v3(p, 'body')).body,
  ],
  [
    'openapi-client callApi GET (V3, query)',
    async (u, k, p) => (await openApiClient(u, k).v3(p, 'query', 'GET')).body,
  ],
];

const params = (ref = 'alice-1', auth = 'alice-2') => ({
  Service: 'intl_face_verify',
  ServiceParameters: serviceParameters(ref, auth),
});

/** Swaps the ID photo wherever the client put ServiceParameters (body or query). */
function swapPhoto(req: Captured): Captured {
  const forged = serviceParameters('mallory-1', 'alice-2');
  if (req.body.includes('ServiceParameters=')) {
    return {
      ...req,
      body: Buffer.from(replaceParam(req.body.toString('utf8'), 'ServiceParameters', forged)),
    };
  }
  const [path, query = ''] = req.url.split('?');
  return { ...req, url: `${path}?${replaceParam(query, 'ServiceParameters', forged)}` };
}

const key = testKey();
let emulator: Emulator;
let skewed: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({ engine: createFakeEngine(), keys: [key] });
  // Its clock runs 20 minutes ahead: every fresh request looks 20 minutes old.
  skewed = await startEmulator({
    engine: createFakeEngine(),
    keys: [key],
    clock: { nowMs: () => Date.now() + 20 * 60_000 },
  });
});
afterAll(async () => {
  await emulator.close();
  await skewed.close();
});

describe.each(SCHEMES)('%s', (_name, call) => {
  it('is accepted and answered from the engine', async () => {
    const body = await call(emulator.url, key, params());
    expect(body.Code).toBe(200);
    expect(JSON.parse(body.Data as string)).toMatchObject({
      passed: 'true',
      retCode: 'OK_SUCCESS',
      extInfo: { result: 'true', score: '92.0', faceAttack: 'false' },
    });
  });

  it('rejects a tampered parameter with SignatureDoesNotMatch', async () => {
    const proxy = await startProxy(emulator.url, swapPhoto);
    try {
      const err = await rejection(call(proxy.url, key, params()));
      expect(err.code).toBe('SignatureDoesNotMatch');
    } finally {
      await proxy.close();
    }
  });

  it('rejects a replayed request with SignatureNonceUsed', async () => {
    const proxy = await startProxy(emulator.url);
    try {
      await call(proxy.url, key, params());
      const replay = await send(emulator.url, proxy.captured[0]!);
      expect(replay.status).toBe(400);
      expect(replay.json).toMatchObject({
        Code: 'SignatureNonceUsed',
        Message: 'Specified signature nonce was used already.',
      });
      expect(replay.json.RequestId).toEqual(expect.any(String));
    } finally {
      await proxy.close();
    }
  });

  it('rejects a timestamp more than 15 minutes old with InvalidTimeStamp.Expired', async () => {
    const err = await rejection(call(skewed.url, key, params()));
    expect(err.code).toBe('InvalidTimeStamp.Expired');
  });

  it('rejects an unknown AccessKeyId with InvalidAccessKeyId.NotFound', async () => {
    const err = await rejection(call(emulator.url, testKey(), params()));
    expect(err.code).toBe('InvalidAccessKeyId.NotFound');
  });

  it('rejects a wrong secret with SignatureDoesNotMatch', async () => {
    const err = await rejection(call(emulator.url, { ...key, accessKeySecret: 'wrong-secret' }, params()));
    expect(err.code).toBe('SignatureDoesNotMatch');
  });
});

describe.each(SCHEMES)('%s with STS credentials', (_name, call) => {
  const sts = { ...testKey(), securityToken: `CAIS${'t'.repeat(40)}` };
  let stsEmulator: Emulator;
  beforeAll(async () => {
    stsEmulator = await startEmulator({ engine: createFakeEngine(), keys: [sts] });
  });
  afterAll(() => stsEmulator.close());

  it('is accepted with the key and its SecurityToken', async () => {
    expect((await call(stsEmulator.url, sts, params())).Code).toBe(200);
  });

  it('is refused with another SecurityToken', async () => {
    const err = await rejection(call(stsEmulator.url, { ...sts, securityToken: 'CAISother' }, params()));
    expect(err.code).toBe('InvalidSecurityToken.MismatchWithAccessKey');
  });

  it('is refused without a SecurityToken', async () => {
    const { securityToken: _t, ...plain } = sts;
    expect((await rejection(call(stsEmulator.url, plain, params()))).code).toBe('MissingSecurityToken');
  });
});

describe('V3 specifics', () => {
  it('rejects a body that no longer matches x-acs-content-sha256 even when the parameters are untouched', async () => {
    const proxy = await startProxy(emulator.url, (req) => ({
      ...req,
      body: Buffer.concat([req.body, Buffer.from('&x=1')]),
    }));
    try {
      const err = await rejection(openApiClient(proxy.url, key).v3(params(), 'body'));
      expect(err.code).toBe('SignatureDoesNotMatch');
    } finally {
      await proxy.close();
    }
  });

  it('rejects an added unsigned x-acs-* header as an incomplete signature', async () => {
    const proxy = await startProxy(emulator.url, (req) => ({
      ...req,
      headers: { ...req.headers, 'x-acs-injected': '1' },
    }));
    try {
      const err = await rejection(openApiClient(proxy.url, key).v3(params()));
      expect(err.code).toBe('IncompleteSignature');
    } finally {
      await proxy.close();
    }
  });

  it('rejects a request whose Authorization is not the ACS3 shape', async () => {
    const proxy = await startProxy(emulator.url, (req) => ({
      ...req,
      headers: { ...req.headers, authorization: 'ACS3-HMAC-SHA256 nonsense' },
    }));
    try {
      const err = await rejection(openApiClient(proxy.url, key).v3(params()));
      expect(err.code).toBe('IncompleteSignature');
    } finally {
      await proxy.close();
    }
  });
});
