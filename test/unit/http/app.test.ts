import { beforeAll, describe, expect, it } from 'vitest';
import { sha256HexOf } from '../../../shared/config.ts';
import { createFcHttpHandler } from '../../../shared/fc/http-adapter.ts';
import type { FcHttpReply } from '../../../shared/fc/http-event.ts';
import { createHttpApp } from '../../../shared/http/app.ts';
import type { CheckedBase64 } from '../../../shared/idv/base64.ts';
import { IdvError, type IdvErrorCode } from '../../../shared/idv/errors.ts';
import type { VerifyRequest } from '../../../shared/idv/types.ts';
import { createLogger } from '../../../shared/log.ts';
import { eventBuffer, type FakeIdv, fakeIdv, fcContext, httpEvent } from '../../helpers/http-events.ts';
import { multipartBody } from '../../helpers/multipart.ts';
import { faceCrop, randomNoise } from '../../helpers/photos.ts';

/** The request as the upstream receives it (photos as text, whether checked already or not). */
const textOf = (p: string | CheckedBase64) => (typeof p === 'string' ? p : p.text);
const sent = (r: VerifyRequest) => ({
  ...r,
  refFaceContent: textOf(r.refFaceContent),
  authFaceContent: textOf(r.authFaceContent),
});

const KEY = 'test-key-0123456789abcdef';
const NOW = Date.UTC(2026, 0, 2, 23, 0, 0); // one hour before UTC midnight
const clock = { nowMs: () => NOW };

function setup(idv: FakeIdv = fakeIdv(), options: { resourceCode?: string; lines?: string[] } = {}) {
  const logger = createLogger({ write: (l) => options.lines?.push(l) });
  const app = createHttpApp({
    idv,
    clock,
    logger,
    apiKeyHashes: [sha256HexOf(KEY)],
    maxPhotoBytes: 5 * 1024 * 1024,
    maxPhotoPixels: 50_000_000,
    defaultResourceCode: 'resourceCode' in options ? options.resourceCode : '12345678',
  });
  const handler = createFcHttpHandler({
    app,
    clock,
    fallbackCredentials: { accessKeyId: 'env-id', accessKeySecret: 'env-secret' },
    requestBudgetMs: 20_000,
  });
  return { idv, handler };
}

const auth = { authorization: `Bearer ${KEY}` };
const json = (reply: FcHttpReply) => JSON.parse(reply.body);
let ref: Buffer;
let face: Buffer;
beforeAll(async () => {
  ref = await faceCrop(1);
  face = await faceCrop(2);
});

const verifyEvent = (body: unknown, headers: Record<string, string> = auth) =>
  eventBuffer(
    httpEvent({ headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) }),
  );
const photosBody = () => ({
  refFaceContent: ref.toString('base64'),
  authFaceContent: face.toString('base64'),
});

describe('verify-http app', () => {
  it('answers GET /healthz with ok and the request id', async () => {
    const { handler } = setup();
    const reply = await handler(
      eventBuffer(httpEvent({ method: 'GET', path: '/healthz' })),
      fcContext({ requestId: 'abc' }),
    );
    expect(reply.statusCode).toBe(200);
    expect(json(reply)).toEqual({ status: 'ok' });
    expect(reply.headers['x-request-id']).toBe('abc');
  });

  it('serves an OpenAPI document generated from the schemas', async () => {
    const { handler } = setup();
    const doc = json(
      await handler(eventBuffer(httpEvent({ method: 'GET', path: '/openapi.json' })), fcContext()),
    );
    expect(doc.openapi).toBe('3.0.3');
    const post = doc.paths['/verify'].post;
    expect(post.requestBody.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/VerifyJsonRequest',
    });
    expect(doc.components.schemas.VerifyJsonRequest.required).toEqual(['refFaceContent', 'authFaceContent']);
    expect(doc.components.schemas.VerifyResponse.properties.score).toMatchObject({
      type: 'number',
      minimum: 0,
      maximum: 100,
    });
    expect(JSON.stringify(doc)).not.toContain('definitions');
    expect(post.responses['429'].description).toContain('upstream_quota_exceeded');
  });

  it('answers 404 for an unknown path and 405 with Allow for a wrong method', async () => {
    const { handler } = setup();
    expect(
      (await handler(eventBuffer(httpEvent({ method: 'GET', path: '/nope' })), fcContext())).statusCode,
    ).toBe(404);
    const reply = await handler(eventBuffer(httpEvent({ method: 'GET', path: '/verify' })), fcContext());
    expect(reply.statusCode).toBe(405);
    expect(reply.headers.allow).toBe('POST');
  });

  it('refuses a request without a valid API key with 401 and never calls upstream', async () => {
    const { handler, idv } = setup();
    const cases: Record<string, string>[] = [
      {},
      { authorization: 'Bearer wrong-key' },
      { authorization: KEY },
    ];
    for (const headers of cases) {
      const reply = await handler(verifyEvent(photosBody(), headers), fcContext());
      expect(reply.statusCode).toBe(401);
      expect(json(reply).error.code).toBe('unauthorized');
    }
    expect(idv.calls).toHaveLength(0);
  });

  it('returns the verdict for two JSON photos, with the default resourceCode and the reference', async () => {
    const { handler, idv } = setup();
    const reply = await handler(
      verifyEvent({ ...photosBody(), reference: 'case-42' }),
      fcContext({ requestId: 'r-1' }),
    );
    expect(reply.statusCode).toBe(200);
    expect(json(reply)).toEqual({
      requestId: 'r-1',
      upstreamRequestId: 'UPSTREAM-REQ-1',
      passed: true,
      result: true,
      score: 97.5,
      faceAttack: false,
      retCode: 'OK_SUCCESS',
      retCodeSub: 'OK',
      retMessage: 'success',
      reference: 'case-42',
      verifiedAt: new Date(NOW).toISOString(),
    });
    expect(sent(idv.calls[0]!.request)).toEqual({ ...photosBody(), resourceCode: '12345678' });
  });

  it('strips a data: prefix and line breaks from base64 photos', async () => {
    const { handler, idv } = setup();
    const wrapped = `data:image/jpeg;base64,${ref.toString('base64').replace(/(.{76})/g, '$1\r\n')}`;
    const reply = await handler(verifyEvent({ ...photosBody(), refFaceContent: wrapped }), fcContext());
    expect(reply.statusCode).toBe(200);
    expect(sent(idv.calls[0]!.request).refFaceContent).toBe(ref.toString('base64'));
  });

  it('accepts multipart/form-data with files ref and auth and a resourceCode field', async () => {
    const { handler, idv } = setup();
    const { body, contentType } = await multipartBody({ ref, auth: face, resourceCode: '87654321' });
    const reply = await handler(
      eventBuffer(httpEvent({ headers: { ...auth, 'content-type': contentType }, body })),
      fcContext(),
    );
    expect(reply.statusCode).toBe(200);
    expect(sent(idv.calls[0]!.request)).toEqual({ ...photosBody(), resourceCode: '87654321' });
  });

  it('names the missing multipart file', async () => {
    const { handler } = setup();
    const { body, contentType } = await multipartBody({ ref });
    const reply = await handler(
      eventBuffer(httpEvent({ headers: { ...auth, 'content-type': contentType }, body })),
      fcContext(),
    );
    expect(reply.statusCode).toBe(400);
    expect(json(reply).error).toMatchObject({ code: 'photo_missing', field: 'auth' });
  });

  it('refuses a broken multipart body with 400 invalid_multipart', async () => {
    const { handler } = setup();
    const reply = await handler(
      eventBuffer(
        httpEvent({
          headers: { ...auth, 'content-type': 'multipart/form-data; boundary=xyz' },
          body: Buffer.from('garbage'),
        }),
      ),
      fcContext(),
    );
    expect(reply.statusCode).toBe(400);
    expect(json(reply).error.code).toBe('invalid_multipart');
  });

  it('names the missing JSON photo', async () => {
    const { handler } = setup();
    const reply = await handler(verifyEvent({ refFaceContent: ref.toString('base64') }), fcContext());
    expect(reply.statusCode).toBe(400);
    expect(json(reply).error).toMatchObject({ code: 'photo_missing', field: 'authFaceContent' });
  });

  it('refuses a photo that is not an image with 415 naming the field, without calling upstream', async () => {
    const { handler, idv } = setup();
    const reply = await handler(
      verifyEvent({ ...photosBody(), authFaceContent: randomNoise(3000).toString('base64') }),
      fcContext(),
    );
    expect(reply.statusCode).toBe(415);
    expect(json(reply).error).toMatchObject({ code: 'photo_unsupported_type', field: 'authFaceContent' });
    expect(idv.calls).toHaveLength(0);
  });

  it('reports the ref photo first when both photos are invalid', async () => {
    const { handler } = setup();
    const reply = await handler(
      verifyEvent({
        refFaceContent: randomNoise(5000).toString('base64'),
        authFaceContent: randomNoise(10).toString('base64'),
      }),
      fcContext(),
    );
    expect(json(reply).error.field).toBe('refFaceContent');
  });

  it('refuses invalid JSON, a wrong content type and a bad resourceCode with 4xx codes', async () => {
    const { handler } = setup();
    const bad = await handler(
      eventBuffer(httpEvent({ headers: { ...auth, 'content-type': 'application/json' }, body: '{' })),
      fcContext(),
    );
    expect([bad.statusCode, json(bad).error.code]).toEqual([400, 'invalid_json']);
    const text = await handler(
      eventBuffer(httpEvent({ headers: { ...auth, 'content-type': 'text/plain' }, body: 'hi' })),
      fcContext(),
    );
    expect([text.statusCode, json(text).error.code]).toEqual([415, 'unsupported_content_type']);
    const code = await handler(verifyEvent({ ...photosBody(), resourceCode: 'abc' }), fcContext());
    expect([code.statusCode, json(code).error.field]).toEqual([400, 'resourceCode']);
  });

  it('requires a resourceCode when no default is configured', async () => {
    const { handler } = setup(fakeIdv(), { resourceCode: undefined });
    const reply = await handler(verifyEvent(photosBody()), fcContext());
    expect([reply.statusCode, json(reply).error.code]).toEqual([400, 'resource_code_required']);
  });

  it('passes the STS credentials of the context, else the environment credentials, and a deadline', async () => {
    const { handler, idv } = setup();
    const sts = { accessKeyId: 'STS.id', accessKeySecret: 'sts-secret', securityToken: 'sts-token' };
    await handler(verifyEvent(photosBody()), fcContext({ credentials: sts, timeoutS: 10 }));
    await handler(verifyEvent(photosBody()), fcContext());
    expect(idv.calls[0]!.options).toMatchObject({ credentials: sts, deadlineEpochMs: NOW + 10_000 - 500 });
    expect(idv.calls[1]!.options?.credentials).toEqual({
      accessKeyId: 'env-id',
      accessKeySecret: 'env-secret',
    });
  });

  const upstreamCases: [IdvErrorCode, number, string][] = [
    ['QuotaExceeded', 429, 'upstream_quota_exceeded'],
    ['NotActivated', 502, 'upstream_not_activated'],
    ['InvalidService', 502, 'upstream_invalid_service'],
    ['InvalidResourceCode', 502, 'upstream_invalid_resource_code'],
    ['InvalidParameters', 502, 'upstream_invalid_parameters'],
    ['AuthFailed', 502, 'upstream_auth_failed'],
    ['SystemError', 502, 'upstream_unavailable'],
    ['Processing', 502, 'upstream_unavailable'],
    ['Network', 502, 'upstream_unavailable'],
    ['Protocol', 502, 'upstream_unavailable'],
    ['Timeout', 504, 'upstream_timeout'],
    ['DeadlineExceeded', 504, 'upstream_timeout'],
    ['Throttled', 503, 'upstream_throttled'],
    ['UnableGetImage', 422, 'upstream_unable_get_image'],
  ];
  it.each(upstreamCases)('maps an upstream %s to %i %s', async (code, status, errorCode) => {
    const { handler } = setup(fakeIdv(new IdvError(code, 'upstream said no', { requestId: 'UP-1' })));
    const reply = await handler(verifyEvent(photosBody()), fcContext({ requestId: 'r-9' }));
    expect(reply.statusCode).toBe(status);
    expect(json(reply)).toMatchObject({ error: { code: errorCode }, requestId: 'r-9' });
    expect(reply.headers['x-request-id']).toBe('r-9');
  });

  it('names the photo in error.field when the upstream UNABLE_GET_IMAGE message names it', async () => {
    const err = new IdvError(
      'UnableGetImage',
      'upstream retCode UNABLE_GET_IMAGE Z9106: authFaceContent: no_face (Z9106)',
    );
    const reply = await setup(fakeIdv(err)).handler(verifyEvent(photosBody()), fcContext());
    expect(json(reply).error).toMatchObject({ code: 'upstream_unable_get_image', field: 'authFaceContent' });
    const unnamed = new IdvError('UnableGetImage', 'upstream retCode UNABLE_GET_IMAGE: image error');
    const reply2 = await setup(fakeIdv(unnamed)).handler(verifyEvent(photosBody()), fcContext());
    expect(json(reply2).error.field).toBeUndefined();
  });

  it('sets Retry-After to the seconds until the next UTC midnight on a spent quota', async () => {
    const { handler } = setup(fakeIdv(new IdvError('QuotaExceeded', 'quota')));
    const reply = await handler(verifyEvent(photosBody()), fcContext());
    expect(reply.headers['retry-after']).toBe('3600');
  });

  it('turns an unexpected error into a generic 500 with the request id and logs the details', async () => {
    const lines: string[] = [];
    const { handler } = setup(fakeIdv(new TypeError('secret internals at line 42')), { lines });
    const reply = await handler(verifyEvent(photosBody()), fcContext({ requestId: 'r-500' }));
    expect(reply.statusCode).toBe(500);
    expect(json(reply)).toEqual({
      error: { code: 'internal_error', message: 'internal error; quote request id r-500' },
      requestId: 'r-500',
    });
    expect(reply.body).not.toContain('secret internals');
    expect(lines.some((l) => l.includes('secret internals') && l.includes('"level":"error"'))).toBe(true);
  });

  it('answers 400 invalid_event to a buffer that is not an FC HTTP event', async () => {
    const { handler } = setup();
    const reply = await handler(Buffer.from('{"triggerTime":"x"}'), fcContext({ requestId: 'r-ev' }));
    expect(reply.statusCode).toBe(400);
    expect(json(reply)).toMatchObject({ error: { code: 'invalid_event' }, requestId: 'r-ev' });
  });
});
