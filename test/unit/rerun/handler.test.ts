import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRerunBatchHandler } from '../../../functions/rerun-batch/handler.ts';
import { createLogger } from '../../../shared/log.ts';
import { rerunPayloadSchema } from '../../../shared/rerun/schemas.ts';

const timerEvent = (payload: string) =>
  Buffer.from(JSON.stringify({ triggerTime: '2026-01-01T00:00:00Z', triggerName: 'rerun-due', payload }));
const context = { requestId: 'timer-1', function: { name: 'idv-rerun-batch', timeout: 600 } };

describe('rerun-batch handler', () => {
  let root: string;
  const logs: string[] = [];
  let handler: ReturnType<typeof createRerunBatchHandler>;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'rerun-handler-'));
    handler = createRerunBatchHandler(
      { IDV_STORE: 'fs', IDV_BUCKET_DIR: root, IDV_PREFIX: 'cases', IDV_ENDPOINT: 'http://127.0.0.1:9' },
      { logger: createLogger({ write: (l) => logs.push(l) }) },
    );
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it.each([
    ['not JSON', '{prefix:', 'payload: not valid JSON'],
    ['an unknown field', '{"prefx":"cases"}', 'prefx'],
    ['a bad prefix', '{"prefix":"/abs/"}', 'prefix'],
    ['a zero limit', '{"limit":0}', 'limit'],
    ['too much concurrency', '{"concurrency":65}', 'concurrency'],
    ['force as a string', '{"force":"yes"}', 'force'],
  ])('answers one clear error for %s', async (_name, payload, mention) => {
    logs.length = 0;
    const reply = await handler(timerEvent(payload), context);
    expect(reply.ok).toBe(false);
    expect(reply.ok === false && reply.error.code).toBe('InvalidEvent');
    expect(reply.ok === false && reply.error.message).toContain(mention);
    const errors = logs.filter((l) => JSON.parse(l).level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('timer payload');
  });

  it('treats an empty payload as {} and runs over an empty bucket', async () => {
    const reply = await handler(timerEvent(''), context);
    expect(reply).toMatchObject({ ok: true, stopReason: 'complete', counts: { scanned: 0 } });
  });

  it('answers an event that is not a timer event without throwing', async () => {
    const reply = await handler(Buffer.from('{"events":[]}'), context);
    expect(reply.ok).toBe(false);
  });

  it('never throws, whatever the payload string (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.json()), async (payload) => {
        const reply = await handler(timerEvent(payload), context);
        expect(typeof reply.ok).toBe('boolean');
      }),
      { numRuns: 60 },
    );
  });

  it('accepts every documented payload field', () => {
    expect(
      rerunPayloadSchema.parse({ prefix: 'in/2026', force: true, limit: 10, concurrency: 8, dryRun: true }),
    ).toEqual({ prefix: 'in/2026', force: true, limit: 10, concurrency: 8, dryRun: true });
  });
});
