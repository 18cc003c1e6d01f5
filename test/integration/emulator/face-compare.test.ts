/**
 * The emulator's Cloudauth-intl FaceCompare / FaceCompareV2 on the same port as ExecuteRequest: the generated
 * SDK's own request (openapi-client callApi, V3 signature, MerchantBizId in the query, photos in the form body),
 * RPC v1 (pop-core, everything in the form), the project's client, the documented errors and the per-action
 * stats.
 */
import * as OpenApi from '@alicloud/openapi-client';
import RPCClient from '@alicloud/pop-core';
import * as TeaUtil from '@alicloud/tea-util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../../local/emulator/server.ts';
import { createIdvClient } from '../../../shared/idv/client.ts';
import { IdvError } from '../../../shared/idv/errors.ts';
import { createFakeEngine, type FakeEngine } from './fake-engine.ts';
import { b64, rejection, testKey } from './helpers.ts';

const oa = OpenApi as unknown as {
  default: new (
    config: unknown,
  ) => {
    callApi(...args: unknown[]): Promise<{ body: Record<string, unknown>; statusCode: number }>;
  };
  Config: new (c: unknown) => unknown;
  Params: new (p: unknown) => unknown;
  OpenApiRequest: new (r: unknown) => unknown;
};
const tu = TeaUtil as unknown as { RuntimeOptions: new (o: unknown) => unknown };

/** The generated SDK's faceCompareWithOptions, step by step (cloudauth-intl-20220809/src/client.ts). */
function sdkFaceCompare(
  url: string,
  key: { accessKeyId: string; accessKeySecret: string },
  request: { merchantBizId?: string; source?: string; target?: string; sourceUrl?: string },
  action = 'FaceCompare',
) {
  const client = new oa.default(
    new oa.Config({ ...key, endpoint: url.replace(/^http:\/\//, ''), protocol: 'HTTP' }),
  );
  const query: Record<string, string> = {};
  if (request.merchantBizId) query.MerchantBizId = request.merchantBizId;
  if (request.sourceUrl) query.SourceFacePictureUrl = request.sourceUrl;
  const body: Record<string, string> = {};
  if (request.source) body.SourceFacePicture = request.source;
  if (request.target) body.TargetFacePicture = request.target;
  return client.callApi(
    new oa.Params({
      action,
      version: '2022-08-09',
      protocol: 'HTTP',
      pathname: '/',
      method: 'POST',
      authType: 'AK',
      style: 'RPC',
      reqBodyType: 'formData',
      bodyType: 'json',
    }),
    new oa.OpenApiRequest({ query, body }),
    new tu.RuntimeOptions({ autoretry: false, readTimeout: 10_000 }),
  );
}

describe('emulator: Cloudauth-intl FaceCompare', () => {
  const key = testKey();
  let engine: FakeEngine;
  let emulator: Emulator;

  beforeAll(async () => {
    engine = createFakeEngine();
    emulator = await startEmulator({
      engine,
      keys: [key, { ...testKey(), accessKeyId: 'LTAIdisabled', enabled: false }],
    });
  });
  afterAll(async () => {
    await emulator.close();
  });

  it.each(['FaceCompare', 'FaceCompareV2'])(
    'gives the generated SDK request (%s) a verdict',
    async (action) => {
      const reply = await sdkFaceCompare(
        emulator.url,
        key,
        { merchantBizId: 'e0c34a77f5ac40a5aa5e6ed20c353888', source: b64('alice-1'), target: b64('alice-2') },
        action,
      );
      expect(reply.statusCode).toBe(200);
      expect(reply.body).toMatchObject({
        Code: '200',
        Message: 'success',
        Result: { Passed: 'Y', FaceComparisonScore: 92.04 },
      });
      expect((reply.body.Result as { TransactionId: string }).TransactionId).toMatch(/^[0-9a-f]{32}$/);
      expect(String(reply.body.RequestId)).toMatch(/^[0-9A-F-]{36}$/);
    },
  );

  it('refuses the same request signed with a wrong secret', async () => {
    const err = await rejection(
      sdkFaceCompare(
        emulator.url,
        { ...key, accessKeySecret: 'wrong-secret-123' },
        {
          merchantBizId: 'b1',
          source: b64('alice-1'),
          target: b64('alice-2'),
        },
      ),
    );
    expect(err.code).toBe('SignatureDoesNotMatch');
  });

  it('answers different people with Passed N, never a faceAttack field', async () => {
    const reply = await sdkFaceCompare(emulator.url, key, {
      merchantBizId: 'b2',
      source: b64('alice-1'),
      target: b64('bob-1'),
    });
    expect(reply.body.Result).toMatchObject({ Passed: 'N', FaceComparisonScore: 21.5 });
    expect(JSON.stringify(reply.body)).not.toMatch(/faceAttack/i);
  });

  it.each([
    ['no MerchantBizId', { source: b64('a-1'), target: b64('a-2') }, 'MissingParameter', 400],
    ['no target photo', { merchantBizId: 'b3', source: b64('a-1') }, 'MissingParameter', 400],
    [
      'base64 and URL',
      { merchantBizId: 'b4', source: b64('a-1'), sourceUrl: 'https://x/1.jpg', target: b64('a-2') },
      'DataDuplication',
      401,
    ],
    [
      'a URL photo (no network here)',
      { merchantBizId: 'b5', sourceUrl: 'https://x/1.jpg', target: b64('a-2') },
      'DownloadTimeout',
      401,
    ],
    ['no face', { merchantBizId: 'b6', source: b64('noface-1'), target: b64('a-2') }, 'NoFaceDetected', 401],
    [
      'bad base64',
      { merchantBizId: 'b7', source: 'not base64!', target: b64('a-2') },
      'InvalidParameter',
      400,
    ],
  ])('refuses %s with the documented code', async (_name, request, code, status) => {
    const err = await rejection(sdkFaceCompare(emulator.url, key, request));
    expect(err.code).toBe(code);
    expect((err.data as { statusCode?: number } | undefined)?.statusCode).toBe(status);
  });

  it('refuses a disabled AccessKey with InvalidAccessKeyId.Inactive', async () => {
    const err = await rejection(
      sdkFaceCompare(
        emulator.url,
        { accessKeyId: 'LTAIdisabled', accessKeySecret: 'whatever-secret' },
        {
          merchantBizId: 'b8',
          source: b64('a-1'),
          target: b64('a-2'),
        },
      ),
    );
    expect(err.code).toBe('InvalidAccessKeyId.Inactive');
  });

  it('answers pop-core (RPC v1, all in the form body) and counts calls per action', async () => {
    const before = emulator.stats();
    const client = new RPCClient({ endpoint: emulator.url, apiVersion: '2022-08-09', ...key });
    const reply = (await client.request(
      'FaceCompare',
      { MerchantBizId: 'b9', SourceFacePicture: b64('carol-1'), TargetFacePicture: b64('carol-2') },
      { method: 'POST' },
    )) as Record<string, unknown>;
    expect(reply).toMatchObject({ Code: '200', Result: { Passed: 'Y' } });
    const after = emulator.stats();
    expect(after.byAction.FaceCompare?.passed).toBe((before.byAction.FaceCompare?.passed ?? 0) + 1);
  });

  it('refuses an unknown action with InvalidApi.NotFound and ExecuteRequest under 2022-08-09 with InvalidVersion', async () => {
    const client = new RPCClient({ endpoint: emulator.url, apiVersion: '2022-08-09', ...key });
    expect((await rejection(client.request('FaceVerify', {}, { method: 'POST' }))).code).toBe(
      'InvalidApi.NotFound',
    );
    expect((await rejection(client.request('ExecuteRequest', {}, { method: 'POST' }))).code).toBe(
      'InvalidVersion',
    );
  });

  it('the project client maps the emulator faults onto the documented classes', async () => {
    const client = createIdvClient({
      api: 'face_compare',
      endpoint: emulator.url,
      credentials: () => key,
      retry: { maxAttempts: 1 },
    });
    const photos = { refFaceContent: b64('dave-1'), authFaceContent: b64('dave-2'), resourceCode: 'unused' };
    emulator.setFaults({ throttle: { count: 1 }, systemError: { count: 1 } });
    const throttled = await client.verify(photos).catch((e: unknown) => e);
    expect(throttled).toBeInstanceOf(IdvError);
    expect((throttled as IdvError).code).toBe('Throttled');
    expect((throttled as IdvError).upstreamCode).toBe('Throttling.Api');
    const internal = await client.verify(photos).catch((e: unknown) => e);
    expect((internal as IdvError).code).toBe('SystemError');
    emulator.setFaults({});
    const verdict = await client.verify(photos);
    expect(verdict).toMatchObject({
      passed: true,
      result: true,
      score: 92.04,
      faceAttack: null,
      retCode: '200',
    });
    expect(verdict.transactionId).toMatch(/^[0-9a-f]{32}$/);
    const unjudged = await client
      .verify({ ...photos, authFaceContent: b64('noface-2') })
      .catch((e: unknown) => e);
    expect((unjudged as IdvError).code).toBe('UnableGetImage');
    // NoFaceDetected is an HTTP 401 error Code: not a successful call, so not counted as paid (the emulator,
    // which bills as Alibaba documents, does not count it either).
    expect((unjudged as IdvError).paidAttempts).toBe(0);
    expect((unjudged as IdvError).uncertainAttempts).toBe(0);
  });
});
