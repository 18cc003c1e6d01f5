import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sha256HexOf } from '../../../shared/config.ts';
import { createFcHttpHandler } from '../../../shared/fc/http-adapter.ts';
import { createHttpApp } from '../../../shared/http/app.ts';
import { silentLogger } from '../../../shared/log.ts';
import { eventBuffer, fakeIdv, fcContext, httpEvent } from '../../helpers/http-events.ts';

const KEY = 'property-key-0123456789';
const idv = fakeIdv();
const app = createHttpApp({
  idv,
  clock: { nowMs: () => 0 },
  logger: silentLogger,
  apiKeyHashes: [sha256HexOf(KEY)],
  maxPhotoBytes: 1024 * 1024,
  maxPhotoPixels: 4_000_000,
  defaultResourceCode: '12345678',
});
const handler = createFcHttpHandler({
  app,
  clock: { nowMs: () => 0 },
  fallbackCredentials: undefined,
  requestBudgetMs: 5000,
});

const photoValue = fc.oneof(
  fc.string(),
  fc.base64String(),
  fc.uint8Array({ maxLength: 600 }).map((b) => Buffer.from(b).toString('base64')),
  fc
    .uint8Array({ maxLength: 600 })
    .map(
      (b) =>
        `data:image/jpeg;base64,${Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.from(b)]).toString('base64')}`,
    ),
  fc.anything(),
);
const bodies = fc.oneof(
  fc.string(),
  fc.json(),
  fc
    .record(
      {
        refFaceContent: photoValue,
        authFaceContent: photoValue,
        resourceCode: fc.option(fc.string()),
        reference: fc.option(fc.anything()),
      },
      { requiredKeys: [] },
    )
    .map((o) => JSON.stringify(o)),
);
const contentTypes = fc.constantFrom(
  'application/json',
  'multipart/form-data; boundary=x',
  'text/plain',
  'application/json; charset=utf-8',
  '',
);

describe('POST /verify properties', () => {
  it('answers arbitrary bodies with a 4xx and an error code, and never calls upstream', async () => {
    await fc.assert(
      fc.asyncProperty(bodies, contentTypes, async (body, contentType) => {
        const headers = {
          authorization: `Bearer ${KEY}`,
          ...(contentType ? { 'content-type': contentType } : {}),
        };
        const reply = await handler(eventBuffer(httpEvent({ headers, body })), fcContext());
        expect(reply.statusCode).toBeGreaterThanOrEqual(400);
        expect(reply.statusCode).toBeLessThan(500);
        expect(typeof JSON.parse(reply.body).error.code).toBe('string');
      }),
      { numRuns: 400 },
    );
    expect(idv.calls).toHaveLength(0);
  });

  it('answers arbitrary event buffers without throwing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
          fc.json().map((j) => Buffer.from(j)),
        ),
        async (event) => {
          const reply = await handler(event, fc.sample(fc.anything(), 1)[0]);
          expect(reply.statusCode).toBeLessThan(500);
        },
      ),
      { numRuns: 300 },
    );
  });
});
