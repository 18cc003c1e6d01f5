/**
 * 422 upstream_unable_get_image names the photo the upstream could not read by the request's own field name
 * (`ref`/`auth` for multipart, `refFaceContent`/`authFaceContent` for JSON), as the 400 photo errors do, and
 * only when the upstream's message says which photo. The upstream errors here are the emulator's own replies
 * (ExecuteRequest and FaceCompare) read by the real reply parsers, so the emulator's wording and the mapping
 * cannot drift apart.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { judgeFaceCompare } from '../../../local/emulator/face-compare.ts';
import { judge } from '../../../local/emulator/service.ts';
import type { FaceEngine, PhotoRole, Unjudged } from '../../../local/engine/types.ts';
import { sha256HexOf } from '../../../shared/config.ts';
import { createFcHttpHandler } from '../../../shared/fc/http-adapter.ts';
import type { FcHttpReply } from '../../../shared/fc/http-event.ts';
import { createHttpApp } from '../../../shared/http/app.ts';
import { toErrorReply } from '../../../shared/http/status.ts';
import { IdvError } from '../../../shared/idv/errors.ts';
import { parseFaceCompareReply } from '../../../shared/idv/face-compare-reply.ts';
import { parseReply } from '../../../shared/idv/reply.ts';
import { silentLogger } from '../../../shared/log.ts';
import { eventBuffer, fakeIdv, fcContext, httpEvent } from '../../helpers/http-events.ts';
import { multipartBody } from '../../helpers/multipart.ts';
import { faceCrop } from '../../helpers/photos.ts';

const KEY = 'test-key-0123456789abcdef';
const clock = { nowMs: () => Date.UTC(2026, 0, 2) };
const auth = { authorization: `Bearer ${KEY}` };

/** An engine that cannot judge `photo` (no face found). */
const unjudgeable = (photo: PhotoRole): FaceEngine => ({
  compare: async (): Promise<Unjudged> => ({
    outcome: 'unjudgeable',
    reason: 'no_face',
    photo,
    message: 'no face',
    timingsMs: { decodeMs: 0, detectMs: 0, compareMs: 0, totalMs: 0 },
  }),
  close: async () => {},
});

/** The IdvError the client raises on the emulator's reply when `photo` cannot be read, per upstream API. */
async function upstreamError(api: 'intl_face_verify' | 'face_compare', photo: PhotoRole): Promise<IdvError> {
  const engine = unjudgeable(photo);
  try {
    if (api === 'intl_face_verify') {
      const reply = await judge(
        engine,
        { refFaceContent: 'AAAA', authFaceContent: 'AAAA', resourceCode: '12345678' },
        'UP-1',
      );
      parseReply(reply.body, { httpStatus: reply.status });
    } else {
      const reply = await judgeFaceCompare(engine, { source: 'AAAA', target: 'AAAA' }, 'UP-1');
      parseFaceCompareReply(reply.body, { httpStatus: reply.status });
    }
  } catch (err) {
    if (err instanceof IdvError) return err;
    throw err;
  }
  throw new Error('the emulator reply parsed as a verdict');
}

let ref: Buffer;
let face: Buffer;
beforeAll(async () => {
  ref = await faceCrop(1);
  face = await faceCrop(2);
});

function handlerFailingWith(err: Error) {
  const app = createHttpApp({
    idv: fakeIdv(err),
    clock,
    logger: silentLogger,
    apiKeyHashes: [sha256HexOf(KEY)],
    maxPhotoBytes: 5 * 1024 * 1024,
    maxPhotoPixels: 50_000_000,
    defaultResourceCode: '12345678',
  });
  return createFcHttpHandler({ app, clock, fallbackCredentials: undefined, requestBudgetMs: 20_000 });
}

async function send(err: Error, encoding: 'json' | 'multipart'): Promise<FcHttpReply> {
  const handler = handlerFailingWith(err);
  if (encoding === 'json') {
    const body = JSON.stringify({
      refFaceContent: ref.toString('base64'),
      authFaceContent: face.toString('base64'),
    });
    return handler(
      eventBuffer(httpEvent({ headers: { ...auth, 'content-type': 'application/json' }, body })),
      fcContext(),
    );
  }
  const { body, contentType } = await multipartBody({ ref, auth: face });
  return handler(
    eventBuffer(httpEvent({ headers: { ...auth, 'content-type': contentType }, body })),
    fcContext(),
  );
}
const errorOf = (reply: FcHttpReply) => {
  expect(reply.statusCode).toBe(422);
  return JSON.parse(reply.body).error as { code: string; field?: string };
};

describe('upstream_unable_get_image names the photo by the request field', () => {
  const cases = [
    ['intl_face_verify', 'ref', 'json', 'refFaceContent'],
    ['intl_face_verify', 'auth', 'json', 'authFaceContent'],
    ['intl_face_verify', 'ref', 'multipart', 'ref'],
    ['intl_face_verify', 'auth', 'multipart', 'auth'],
    ['face_compare', 'ref', 'json', 'refFaceContent'],
    ['face_compare', 'auth', 'json', 'authFaceContent'],
    ['face_compare', 'ref', 'multipart', 'ref'],
    ['face_compare', 'auth', 'multipart', 'auth'],
  ] as const;
  it.each(cases)('%s, %s photo unreadable, %s request: field %s', async (api, photo, encoding, field) => {
    const err = await upstreamError(api, photo);
    expect(err.code).toBe('UnableGetImage');
    expect(errorOf(await send(err, encoding))).toEqual({
      code: 'upstream_unable_get_image',
      message: expect.any(String),
      field,
      upstreamRequestId: 'UP-1',
    });
  });

  it('leaves field out when the message names no photo (Alibaba documents no photo name)', async () => {
    for (const message of [
      'upstream Code NoFaceDetected: Face feature extraction from the uploaded image failed.',
      'upstream retCode UNABLE_GET_IMAGE Z1144: image error',
    ]) {
      for (const encoding of ['json', 'multipart'] as const) {
        const error = errorOf(await send(new IdvError('UnableGetImage', message), encoding));
        expect(error.code).toBe('upstream_unable_get_image');
        expect(error).not.toHaveProperty('field');
      }
    }
  });

  it('leaves field out when the message names both photos', async () => {
    const err = new IdvError('UnableGetImage', 'upstream: refFaceContent and TargetFacePicture unreadable');
    expect(errorOf(await send(err, 'multipart'))).not.toHaveProperty('field');
  });

  it('leaves field out when the request fields are not known, and for other upstream errors', () => {
    const named = new IdvError(
      'UnableGetImage',
      'upstream retCode UNABLE_GET_IMAGE Z9106: authFaceContent: no_face',
    );
    expect(toErrorReply(named, 'r', 0).body.error).not.toHaveProperty('field');
    expect(toErrorReply(named, 'r', 0, 0, { ref: 'ref', auth: 'auth' }).body.error.field).toBe('auth');
    const other = new IdvError('InvalidParameters', 'upstream Code InvalidParameter: (SourceFacePicture)');
    expect(toErrorReply(other, 'r', 0, 0, { ref: 'ref', auth: 'auth' }).body.error).not.toHaveProperty(
      'field',
    );
  });

  it('does not read a photo name inside a longer word', () => {
    const err = new IdvError('UnableGetImage', 'upstream: xrefFaceContentx unreadable');
    expect(toErrorReply(err, 'r', 0, 0, { ref: 'ref', auth: 'auth' }).body.error).not.toHaveProperty('field');
  });
});
