import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { credentialsFor, deadlineFor, fcContextSchema } from '../../../shared/fc/context.ts';
import { eventBody, fcHttpEventSchema } from '../../../shared/fc/http-event.ts';
import { EventParseError, parseJsonWith } from '../../../shared/fc/json.ts';
import {
  objectCreatedEvent,
  objectCreatedRecord,
  ossEventSchema,
  parseOssRecords,
} from '../../../shared/fc/oss-event.ts';
import { fcTimerEventSchema, parseTimerPayload } from '../../../shared/fc/timer-event.ts';
import { headerOf } from '../../../shared/http/headers.ts';

const fixture = (p: string) => readFileSync(new URL(`../../fixtures/events/${p}`, import.meta.url));

describe('FC HTTP event', () => {
  it('parses the documented sample', () => {
    const event = parseJsonWith(fcHttpEventSchema, fixture('http/get.json'));
    expect(event.requestContext.http.method).toBe('GET');
    expect(headerOf(event.headers, 'HEADER2')).toBe('value1,value2');
    expect(eventBody(event).toString()).toBe('Hello FC!');
  });

  it('decodes a base64 body', () => {
    const event = fcHttpEventSchema.parse({
      rawPath: '/',
      body: Buffer.from([0, 1, 255]).toString('base64'),
      isBase64Encoded: true,
      requestContext: { requestId: 'r', http: { method: 'POST', path: '/' } },
    });
    expect([...eventBody(event)]).toEqual([0, 1, 255]);
  });

  it('names the missing field of an event that is not an HTTP event', () => {
    expect(() => parseJsonWith(fcHttpEventSchema, fixture('timer/plain-payload.json'))).toThrow(
      EventParseError,
    );
    try {
      parseJsonWith(fcHttpEventSchema, fixture('timer/plain-payload.json'));
    } catch (err) {
      expect((err as EventParseError).path).toBe('rawPath');
    }
  });

  it('refuses bytes that are not JSON with a typed error', () => {
    expect(() => parseJsonWith(fcHttpEventSchema, Buffer.from('{nope'))).toThrow(EventParseError);
  });
});

describe('FC OSS event', () => {
  it('parses every record of the documented sample', () => {
    const event = parseJsonWith(ossEventSchema, fixture('oss/put-object.json'));
    const [first] = parseOssRecords(event);
    expect(first).toMatchObject({ ok: true, record: { oss: { object: { key: 'source/a.png' } } } });
  });

  it('prefixes the issue path of a bad record with its index', () => {
    const good = JSON.parse(fixture('oss/put-object.json').toString()).events[0];
    const bad = { ...good, eventSource: 'acs:mns' };
    const results = parseOssRecords({ events: [good, bad] });
    expect(results.map((r) => r.ok)).toEqual([true, false]);
    expect(results[1]).toMatchObject({ ok: false, path: 'events.1.eventSource' });
  });
});

describe('objectCreatedEvent (the one OSS event builder)', () => {
  it("writes every field FC's documented sample has, with the sample's values", () => {
    const sample = JSON.parse(fixture('oss/put-object.json').toString('utf8'));
    const real = sample.events[0];
    const built = objectCreatedRecord({
      bucket: real.oss.bucket.name,
      region: real.region,
      key: real.oss.object.key,
      eTag: real.oss.object.eTag,
      size: real.oss.object.size,
      eventTimeIso: real.eventTime,
    });
    expect(real).toMatchObject(built);
  });

  it('builds events the handlers parse, one record per object, without eTag and size when unknown', () => {
    const event = objectCreatedEvent([
      {
        bucket: 'b',
        region: 'ap-southeast-1',
        key: 'cases/c1/ref.jpg',
        eTag: 'ABC',
        size: 3,
        eventTimeIso: 'x',
      },
      { bucket: 'b', region: 'ap-southeast-1', key: 'cases/c1/auth.jpg', eventTimeIso: 'x' },
    ]);
    const records = parseOssRecords(ossEventSchema.parse(event));
    expect(records.map((r) => r.ok && r.record.oss.object)).toEqual([
      { key: 'cases/c1/ref.jpg', eTag: 'ABC', size: 3 },
      { key: 'cases/c1/auth.jpg' },
    ]);
  });
});

describe('FC timer event', () => {
  it('parses the documented sample and its plain payload', () => {
    const event = parseJsonWith(fcTimerEventSchema, fixture('timer/plain-payload.json'));
    expect(event.payload).toBe('awesome-fc');
    expect(() => parseTimerPayload(z.object({}), event)).toThrow(EventParseError);
  });

  it('validates a JSON payload with a schema', () => {
    const event = fcTimerEventSchema.parse({
      triggerTime: 't',
      triggerName: 'n',
      payload: '{"prefix":"cases/"}',
    });
    expect(parseTimerPayload(z.object({ prefix: z.string() }), event)).toEqual({ prefix: 'cases/' });
  });
});

describe('FC context', () => {
  it('prefers the STS credentials of the context over the fallback', () => {
    const ctx = fcContextSchema.parse({
      requestId: 'r',
      credentials: { accessKeyId: 'sts', accessKeySecret: 's', securityToken: 't' },
    });
    expect(credentialsFor(ctx, { accessKeyId: 'env', accessKeySecret: 'e' })).toEqual({
      accessKeyId: 'sts',
      accessKeySecret: 's',
      securityToken: 't',
    });
  });

  it('uses the fallback when the context has no credentials', () => {
    const ctx = fcContextSchema.parse({ requestId: 'r' });
    expect(credentialsFor(ctx, { accessKeyId: 'env', accessKeySecret: 'e' })?.accessKeyId).toBe('env');
  });

  it('gives an invocation without a requestId (or without a context) a fresh id instead of refusing it', () => {
    const creds = { accessKeyId: 'sts', accessKeySecret: 's' };
    const noId = fcContextSchema.parse({ credentials: creds });
    expect(noId.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(noId.credentials).toEqual(creds);
    expect(fcContextSchema.parse(undefined).requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(fcContextSchema.parse({ requestId: 'r' }).requestId).toBe('r');
  });

  it('sets the deadline before the function timeout, capped by the budget', () => {
    const ctx = fcContextSchema.parse({ requestId: 'r', function: { timeout: 10 } });
    expect(deadlineFor(ctx, 1_000, 60_000)).toBe(1_000 + 10_000 - 500);
    expect(deadlineFor(ctx, 1_000, 2_000)).toBe(3_000);
    expect(deadlineFor(fcContextSchema.parse({ requestId: 'r' }), 0, 5_000)).toBe(5_000);
  });
});
