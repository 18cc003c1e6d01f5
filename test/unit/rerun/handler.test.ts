import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
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
      {
        IDV_STORE: 'fs',
        IDV_BUCKET_DIR: root,
        IDV_PREFIX: 'cases',
        IDV_ENDPOINT: 'http://127.0.0.1:9',
        IDV_RESOURCE_CODE: '12345678',
      },
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

  it('answers InvalidEvent with one logged error for an event that is not a timer event', async () => {
    logs.length = 0;
    const reply = await handler(Buffer.from('{"events":[]}'), context);
    expect(reply).toMatchObject({ ok: false, error: { code: 'InvalidEvent' } });
    expect(logs.filter((l) => JSON.parse(l).level === 'error')).toHaveLength(1);
  });

  it('runs exactly the payloads the schema accepts and refuses every other one with InvalidEvent (property)', async () => {
    const accepted = (payload: string): boolean => {
      if (payload.trim() === '') return true;
      try {
        return rerunPayloadSchema.safeParse(JSON.parse(payload)).success;
      } catch {
        return false;
      }
    };
    const documented = fc
      .record(
        {
          prefix: fc.constantFrom('cases', 'in/2026', '/abs/', '..'),
          force: fc.boolean(),
          limit: fc.integer({ min: -1, max: 20 }),
          concurrency: fc.integer({ min: 0, max: 70 }),
          dryRun: fc.constant(true),
        },
        { requiredKeys: ['dryRun'] },
      )
      .map((p) => JSON.stringify(p));
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.json(), documented), async (payload) => {
        const reply = await handler(timerEvent(payload), context);
        if (accepted(payload)) {
          expect(reply).toMatchObject({ ok: true, stopReason: 'complete' });
        } else {
          expect(reply).toMatchObject({ ok: false, error: { code: 'InvalidEvent' } });
        }
      }),
      { numRuns: 80 },
    );
  });

  it('takes every documented payload field: prefix, limit and dryRun decide the run', async () => {
    for (const caseId of ['c1', 'c2']) {
      await mkdir(path.join(root, 'in/2026', caseId), { recursive: true });
      await writeFile(path.join(root, 'in/2026', caseId, 'ref.jpg'), 'ref');
      await writeFile(path.join(root, 'in/2026', caseId, 'auth.jpg'), 'auth');
    }
    const dry = JSON.stringify({ prefix: 'in/2026', force: true, limit: 1, concurrency: 8, dryRun: true });

    // A dry run decides and counts every case (the limit bounds work, and a dry run does none) and writes nothing.
    expect(await handler(timerEvent(dry), context)).toMatchObject({
      ok: true,
      stopReason: 'complete',
      counts: { due: 2, rejected: 0 },
    });
    expect(await readdir(path.join(root, 'in/2026/c1'))).toEqual(['auth.jpg', 'ref.jpg']);
    expect(await readdir(path.join(root, 'in/2026/c2'))).toEqual(['auth.jpg', 'ref.jpg']);

    // The same prefix for real, limit 1: one case is worked on (its photos are not images: rejected, no paid
    // call), the other is left for the next run.
    const real = JSON.stringify({ prefix: 'in/2026', limit: 1, concurrency: 8 });
    expect(await handler(timerEvent(real), context)).toMatchObject({
      ok: true,
      stopReason: 'limit',
      counts: { due: 2, rejected: 1, remaining: 1 },
    });
    const written = [
      ...(await readdir(path.join(root, 'in/2026/c1'))),
      ...(await readdir(path.join(root, 'in/2026/c2'))),
    ].filter((f) => f === 'result.json');
    expect(written).toHaveLength(1);
  });
});
