/**
 * Factories for the bucket door tests: FC 3.0 OSS trigger events from the one builder (shared/fc/oss-event.ts,
 * checked against the documented sample test/fixtures/events/oss/put-object.json), FC contexts, a movable clock, a recording fake of the IdvClient
 * port, a store wrapper that fails chosen operations, and small valid JPEGs made with sharp.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import type { Clock } from '../../shared/clock.ts';
import { objectCreatedRecord } from '../../shared/fc/oss-event.ts';
import type { IdvClient, Verdict, VerifyOptions, VerifyRequest } from '../../shared/idv/types.ts';
import type { ObjectStore } from '../../shared/store/types.ts';

type Sample = { events: [{ eventTime: string }] };
const SAMPLE = JSON.parse(
  readFileSync(fileURLToPath(new URL('../fixtures/events/oss/put-object.json', import.meta.url)), 'utf8'),
) as Sample;

export interface OssObjectSpec {
  key: string;
  eTag?: string;
  size?: number;
  eventName?: string;
}

export function ossRecord(spec: OssObjectSpec | string, bucket = 'testbucket', region = 'cn-hangzhou') {
  const s = typeof spec === 'string' ? { key: spec } : spec;
  return objectCreatedRecord({
    bucket,
    region,
    key: s.key,
    eTag: s.eTag ?? 'D41D8CD98F00B204E9800998ECF8427E',
    size: s.size ?? 0,
    eventTimeIso: SAMPLE.events[0].eventTime,
    ...(s.eventName ? { eventName: s.eventName } : {}),
  });
}

export function ossEvent(objects: (OssObjectSpec | string)[], bucket?: string, region?: string) {
  return { events: objects.map((o) => ossRecord(o, bucket, region)) };
}

export const ossEventBuffer = (objects: (OssObjectSpec | string)[]): Buffer =>
  Buffer.from(JSON.stringify(ossEvent(objects)));

let contextSeq = 0;
export function fcContext(overrides: Record<string, unknown> = {}) {
  contextSeq += 1;
  return {
    requestId: `oss-req-${contextSeq}`,
    function: { name: 'idv-verify-oss', timeout: 60 },
    ...overrides,
  };
}

export interface MovableClock extends Clock {
  advance(ms: number): void;
}
export function movableClock(startEpochMs = Date.now()): MovableClock {
  let offset = 0;
  // Follows real time (the emulator and client sign with it) plus the offset the test adds.
  const origin = Date.now();
  return {
    nowMs: () => startEpochMs + (Date.now() - origin) + offset,
    advance: (ms) => {
      offset += ms;
    },
  };
}

export const verdictOf = (overrides: Partial<Verdict> = {}): Verdict => ({
  requestId: 'FAKE-REQ-1',
  passed: true,
  result: true,
  score: 97.5,
  faceAttack: false,
  retCode: 'OK_SUCCESS',
  retCodeSub: 'OK',
  retMessage: 'success',
  attempts: 1,
  ...overrides,
});

/** A fake IdvClient that records each call and answers from `respond` (a verdict or a thrown error). */
export function recordingClient(
  respond: (call: number, request: VerifyRequest) => Verdict | Promise<Verdict> = () => verdictOf(),
) {
  const calls: { request: VerifyRequest; options: VerifyOptions | undefined }[] = [];
  const client: IdvClient = {
    async verify(request, options) {
      calls.push({ request, options });
      return respond(calls.length, request);
    },
  };
  return { client, calls };
}

/** Wraps a store; `failOn(op, key)` returning an Error makes that operation throw it (once per call). */
export function faultyStore(
  inner: ObjectStore,
  failOn: (op: keyof ObjectStore, key: string) => Error | undefined,
): ObjectStore {
  const guard = (op: keyof ObjectStore, key: string) => {
    const err = failOn(op, key);
    if (err) throw err;
  };
  return {
    get: async (key) => {
      guard('get', key);
      return inner.get(key);
    },
    head: async (key) => {
      guard('head', key);
      return inner.head(key);
    },
    put: async (key, body, o) => {
      guard('put', key);
      return inner.put(key, body, o);
    },
    putIfAbsent: async (key, body, o) => {
      guard('putIfAbsent', key);
      return inner.putIfAbsent(key, body, o);
    },
    list: async (req) => {
      guard('list', req.prefix);
      return inner.list(req);
    },
    delete: async (key) => {
      guard('delete', key);
      return inner.delete(key);
    },
  };
}

/** A small valid JPEG; different `seed`s give different bytes (and so different ETags). */
export function jpeg(seed = 0, width = 320, height = 240): Promise<Buffer> {
  return sharp({
    create: {
      width,
      height,
      channels: 3,
      background: { r: (seed * 37) % 256, g: (seed * 91) % 256, b: 120 },
    },
  })
    .jpeg({ quality: 80 })
    .toBuffer();
}
