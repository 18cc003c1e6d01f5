import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseJsonWith } from '../../../shared/fc/json.ts';
import { ossEventSchema, parseOssRecords } from '../../../shared/fc/oss-event.ts';
import { createLogger } from '../../../shared/log.ts';
import { caseEvent, createFanoutRunner, type FcInvokeClient } from '../../../shared/rerun/fanout.ts';
import { runRerun } from '../../../shared/rerun/run.ts';
import type { CaseSnapshot } from '../../../shared/rerun/scan.ts';
import { memoryStore } from './memory-store.ts';

const readAll = async (stream: Readable | undefined): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const c of stream ?? Readable.from([])) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks).toString('utf8');
};

/** Records every invocation it receives, as the FC 3.0 SDK would get it. */
function recordingFc(statusCode = 202) {
  const calls: {
    functionName: string;
    qualifier?: string;
    headers: Record<string, unknown>;
    body: string;
  }[] = [];
  const client: FcInvokeClient = {
    async invokeFunctionWithOptions(functionName, request, headers) {
      calls.push({
        functionName,
        ...(request.qualifier ? { qualifier: request.qualifier } : {}),
        headers: { ...headers },
        body: await readAll(request.body),
      });
      return { statusCode, headers: { 'x-fc-request-id': `req-${calls.length}` } };
    },
  };
  return { client, calls };
}

const target = { functionName: 'idv-verify-oss', bucket: 'my-bucket', region: 'ap-southeast-1' };
const clock = { nowMs: () => Date.parse('2026-05-01T00:00:00Z') };
const logger = createLogger({ write: () => {} });

describe('fan-out', () => {
  it('builds the OSS event the verify-oss function parses, for the case photo', () => {
    const snapshot = {
      prefix: 'in/2026',
      caseId: 'case-7',
      folder: 'in/2026/case-7/',
      validCaseId: true,
      ref: { etag: 'ABC', size: 1234 },
      auth: { etag: 'DEF', size: 99 },
      hasResult: false,
      hasCaseJson: false,
      claims: new Map(),
      pageToken: undefined,
    } satisfies CaseSnapshot;
    const event = caseEvent(snapshot, target, clock.nowMs());
    const records = parseOssRecords(parseJsonWith(ossEventSchema, JSON.stringify(event)));
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      ok: true,
      record: {
        eventName: 'ObjectCreated:PutObject',
        eventSource: 'acs:oss',
        region: 'ap-southeast-1',
        oss: {
          bucket: { name: 'my-bucket' },
          object: { key: 'in/2026/case-7/ref.jpg', eTag: 'ABC', size: 1234 },
        },
      },
    });
  });

  it('invokes the OSS function asynchronously once per due case, and never for skipped ones', async () => {
    const store = memoryStore();
    for (const id of ['a', 'b', 'c']) {
      store.seed(`cases/${id}/ref.jpg`, `r${id}`);
      store.seed(`cases/${id}/auth.jpg`, `a${id}`);
    }
    store.seed('cases/d/ref.jpg', 'incomplete');
    const fc = recordingFc();
    const runner = createFanoutRunner(fc.client, { ...target, qualifier: 'prod' }, clock);
    const report = await runRerun({ store, clock, logger, runner }, { prefix: 'cases', concurrency: 2 });
    expect(report.counts).toMatchObject({ scanned: 4, due: 3, dispatched: 3, skipped: 1, verified: 0 });
    expect(fc.calls).toHaveLength(3);
    for (const call of fc.calls) {
      expect(call.functionName).toBe('idv-verify-oss');
      expect(call.qualifier).toBe('prod');
      expect(call.headers.xFcInvocationType).toBe('Async');
    }
    const keys = fc.calls.map((c) => JSON.parse(c.body).events[0].oss.object.key).sort();
    expect(keys).toEqual(['cases/a/ref.jpg', 'cases/b/ref.jpg', 'cases/c/ref.jpg']);
    expect(store.calls.put ?? 0).toBe(0);
  });

  it('counts a refused invocation as an error of that case only', async () => {
    const store = memoryStore();
    store.seed('cases/a/ref.jpg', 'r');
    store.seed('cases/a/auth.jpg', 'a');
    const fc = recordingFc(429);
    const runner = createFanoutRunner(fc.client, target, clock);
    const report = await runRerun({ store, clock, logger, runner }, { prefix: 'cases', concurrency: 1 });
    expect(report.counts).toMatchObject({ due: 1, dispatched: 0, errors: 1 });
    expect(report.failedCases).toEqual(['a']);
  });

  it('refuses to force through the OSS function', async () => {
    const runner = createFanoutRunner(recordingFc().client, target, clock);
    await expect(
      runner(
        {
          prefix: 'p',
          caseId: 'x',
          folder: 'p/x/',
          validCaseId: true,
          hasResult: true,
          hasCaseJson: false,
          claims: new Map(),
          pageToken: undefined,
        },
        { action: 'force', reason: 'forced' },
      ),
    ).rejects.toMatchObject({ code: 'FanoutFailed' });
  });
});
