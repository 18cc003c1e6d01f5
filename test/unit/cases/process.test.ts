import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pairHash } from '../../../shared/cases/claims.ts';
import { claimKey } from '../../../shared/cases/layout.ts';
import { processCase, readResult } from '../../../shared/cases/process.ts';
import { DEFAULT_CASE_SETTINGS } from '../../../shared/cases/settings.ts';
import type { CaseDeps } from '../../../shared/cases/types.ts';
import { CheckedBase64 } from '../../../shared/idv/base64.ts';
import { IdvError } from '../../../shared/idv/errors.ts';
import { createLogger } from '../../../shared/log.ts';
import { StoreError } from '../../../shared/store/errors.ts';
import { createFsStore } from '../../../shared/store/fs.ts';
import { listAll, type ObjectStore } from '../../../shared/store/types.ts';
import { faultyStore, jpeg, movableClock, recordingClient, verdictOf } from '../../helpers/oss-events.ts';

const loc = { prefix: 'cases', caseId: 'case-1' };
const settings = {
  ...DEFAULT_CASE_SETTINGS,
  defaultResourceCode: '11111111',
  retryBaseMs: 60_000,
  leaseMs: 120_000,
};

describe('processCase', () => {
  let root: string;
  let store: ObjectStore;
  let lines: string[];
  const clock = movableClock(Date.parse('2026-03-10T10:00:00Z'));
  const deps = (client: CaseDeps['client'], overrides: Partial<CaseDeps> = {}): CaseDeps => ({
    store,
    client,
    clock,
    logger: createLogger({ write: (l) => lines.push(l), level: 'debug' }),
    settings,
    ...overrides,
  });
  const putPair = async (seedRef = 1, seedAuth = 2) => {
    await store.put('cases/case-1/ref.jpg', await jpeg(seedRef));
    await store.put('cases/case-1/auth.jpg', await jpeg(seedAuth));
  };

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'cases-'));
    store = createFsStore({ root });
    lines = [];
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('waits for the partner photo without writing anything', async () => {
    const { client, calls } = recordingClient();
    await store.put('cases/case-1/ref.jpg', await jpeg(1));
    expect(await processCase(deps(client), loc)).toEqual({ action: 'waiting', missing: ['auth'] });
    expect(calls).toHaveLength(0);
    expect(await readResult(store, loc)).toBeUndefined();
  });

  it('verifies a complete pair once and writes result.json with the verdict and photo versions', async () => {
    const { client, calls } = recordingClient();
    await putPair();
    const outcome = await processCase(deps(client), loc);
    expect(outcome).toMatchObject({ action: 'written', status: 'verified', upstreamCalled: true });
    const result = await readResult(store, loc);
    const ref = await store.head('cases/case-1/ref.jpg');
    expect(result).toMatchObject({
      schema: 'idv.result/v1',
      caseId: 'case-1',
      status: 'verified',
      verdict: { passed: true, result: true, score: 97.5 },
      requestId: 'FAKE-REQ-1',
      resourceCode: '11111111',
      attempts: 1,
      photos: { ref: { etag: ref?.etag, size: ref?.size } },
    });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.request.resourceCode).toBe('11111111');
    // Sent as checked base64 (encoded by processCase itself), so the client does not check it again.
    const sent = calls[0]?.request.refFaceContent;
    expect(sent).toBeInstanceOf(CheckedBase64);
    expect((sent as CheckedBase64).text).toMatch(/^[A-Za-z0-9+/]+=*$/);
    // a re-delivered event is not verified again
    expect(await processCase(deps(client), loc)).toEqual({ action: 'up-to-date', status: 'verified' });
    expect(calls).toHaveLength(1);
  });

  it('never writes photo bytes or base64 into result.json or the log', async () => {
    const { client } = recordingClient();
    await putPair();
    await processCase(deps(client), loc);
    const raw = (await store.get('cases/case-1/result.json'))?.body.toString() ?? '';
    const photo = (await store.get('cases/case-1/ref.jpg'))?.body.toString('base64') ?? '';
    expect(raw).not.toContain(photo.slice(0, 40));
    expect(lines.join('\n')).not.toContain(photo.slice(0, 40));
  });

  it('verifies again when a photo is replaced after its verdict', async () => {
    const { client, calls } = recordingClient();
    await putPair();
    await processCase(deps(client), loc);
    await store.put('cases/case-1/auth.jpg', await jpeg(3));
    expect(await processCase(deps(client), loc)).toMatchObject({ action: 'written', status: 'verified' });
    expect(calls).toHaveLength(2);
    const result = await readResult(store, loc);
    expect(result?.photos.auth.etag).toBe((await store.head('cases/case-1/auth.jpg'))?.etag);
    expect(result?.attempts).toBe(1);
  });

  it('rejects a photo that is not an image, without a paid call', async () => {
    const { client, calls } = recordingClient();
    await store.put('cases/case-1/ref.jpg', Buffer.from('this is not a picture at all'));
    await store.put('cases/case-1/auth.jpg', await jpeg(2));
    expect(await processCase(deps(client), loc)).toMatchObject({ action: 'written', status: 'rejected' });
    expect(calls).toHaveLength(0);
    expect((await readResult(store, loc))?.error).toEqual({
      code: 'photo_unsupported_type',
      message: expect.stringContaining('ref.jpg'),
    });
  });

  it('rejects a photo over the size limit', async () => {
    const { client, calls } = recordingClient();
    await putPair();
    await processCase(deps(client, { settings: { ...settings, maxPhotoBytes: 100 } }), loc);
    expect((await readResult(store, loc))?.error?.code).toBe('photo_too_large');
    expect(calls).toHaveLength(0);
  });

  it('rejects a malformed case.json', async () => {
    const { client, calls } = recordingClient();
    await putPair();
    await store.put('cases/case-1/case.json', Buffer.from('{"resourceCode": 12'));
    await processCase(deps(client), loc);
    expect((await readResult(store, loc))?.error?.code).toBe('case_json_malformed');
    await store.put('cases/case-1/case.json', Buffer.from('{"resourceCod": "12345678"}'));
    await putPair(4, 5);
    await processCase(deps(client), loc);
    expect((await readResult(store, loc))?.error).toMatchObject({ code: 'case_json_malformed' });
    expect(calls).toHaveLength(0);
  });

  it('takes resourceCode from case.json, then photo metadata, then the default', async () => {
    const { client, calls } = recordingClient();
    await store.put('cases/case-1/ref.jpg', await jpeg(1), { metadata: { 'resource-code': '22222222' } });
    await store.put('cases/case-1/auth.jpg', await jpeg(2));
    await processCase(deps(client), loc);
    expect(calls.at(-1)?.request.resourceCode).toBe('22222222');
    await store.put('cases/case-1/case.json', Buffer.from('{"resourceCode":"33333333","reference":"crm-9"}'));
    await store.put('cases/case-1/auth.jpg', await jpeg(7));
    await processCase(deps(client), loc);
    expect(calls.at(-1)?.request.resourceCode).toBe('33333333');
    expect(await readResult(store, loc)).toMatchObject({ resourceCode: '33333333', reference: 'crm-9' });
  });

  it('leaves a pair with no resourceCode anywhere unjudged (a run-level error naming IDV_RESOURCE_CODE)', async () => {
    const { client, calls } = recordingClient();
    await putPair();
    await expect(
      processCase(deps(client, { settings: { ...settings, defaultResourceCode: undefined } }), loc),
    ).rejects.toMatchObject({ code: 'resource_code_missing', variable: 'IDV_RESOURCE_CODE' });
    expect(await readResult(store, loc)).toBeUndefined();
    expect(calls).toHaveLength(0);
  });

  it('marks a transient failure retrying with a backoff, then verifies on the rerun when due', async () => {
    const { client, calls } = recordingClient((n) => {
      if (n === 1) throw new IdvError('SystemError', 'upstream hiccup', { requestId: 'R-ERR' });
      return verdictOf({ requestId: 'R-OK' });
    });
    await putPair();
    const t0 = clock.nowMs();
    await processCase(deps(client), loc);
    const retrying = await readResult(store, loc);
    expect(retrying).toMatchObject({
      status: 'retrying',
      attempts: 1,
      error: { code: 'SystemError' },
      requestId: 'R-ERR',
    });
    const next = Date.parse(retrying?.nextAttemptAt ?? '');
    expect(next - t0).toBeGreaterThanOrEqual(60_000);
    expect(await processCase(deps(client), loc)).toMatchObject({ action: 'not-due' });
    clock.advance(61_000);
    expect(await processCase(deps(client), loc)).toMatchObject({ action: 'written', status: 'verified' });
    const done = await readResult(store, loc);
    expect(done).toMatchObject({
      status: 'verified',
      attempts: 2,
      requestId: 'R-OK',
      firstAttemptAt: retrying?.firstAttemptAt,
    });
    expect(done?.nextAttemptAt).toBeUndefined();
    expect(done?.error).toBeUndefined();
    expect(calls).toHaveLength(2);
  });

  it('retries a 402 after the next quota reset; a 403 then is a run-level error that spends no attempt', async () => {
    const { client } = recordingClient((n) => {
      throw n === 1
        ? new IdvError('QuotaExceeded', 'quota spent')
        : new IdvError('NotActivated', 'not activated');
    });
    await putPair();
    await processCase(deps(client), loc);
    const r1 = await readResult(store, loc);
    expect(r1?.status).toBe('retrying');
    expect(new Date(r1?.nextAttemptAt ?? '').toISOString()).toMatch(/T00:00:00\.000Z$/);
    clock.advance(Date.parse(r1?.nextAttemptAt ?? '') - clock.nowMs() + 1);
    await expect(processCase(deps(client), loc)).rejects.toMatchObject({ code: 'NotActivated' });
    expect(await readResult(store, loc)).toEqual(r1);
  });

  it('does not touch a pair whose claim is held by a live instance', async () => {
    const { client, calls } = recordingClient();
    await putPair();
    const ref = await store.head('cases/case-1/ref.jpg');
    const auth = await store.head('cases/case-1/auth.jpg');
    const hash = pairHash(ref?.etag ?? '', auth?.etag ?? '');
    const now = clock.nowMs();
    await store.putIfAbsent(
      claimKey(loc, hash, 1),
      Buffer.from(
        JSON.stringify({
          schema: 'idv.claim/v1',
          seq: 1,
          owner: 'other',
          claimedAtEpochMs: now,
          leaseUntilEpochMs: now + 60_000,
          refEtag: ref?.etag,
          authEtag: auth?.etag,
        }),
      ),
    );
    expect(await processCase(deps(client), loc)).toEqual({
      action: 'busy',
      leaseUntilEpochMs: expect.any(Number),
    });
    expect(calls).toHaveLength(0);
    clock.advance(61_000);
    expect(await processCase(deps(client), loc)).toMatchObject({ action: 'written', status: 'verified' });
    expect((await readResult(store, loc))?.claimSeq).toBe(2);
  });

  it.each([
    [1, 'verified', 1],
    [0, 'held', 0],
  ] as const)(
    'counts an attempt that died in flight as uncertain on takeover (budget %i -> %s)',
    async (maxUncertainRetries, status, callsAfter) => {
      await putPair();
      let sends = 0;
      // Records the attempt like the real client, then the instance dies with the request in flight.
      const dying: CaseDeps['client'] = {
        verify: async (_req, options) => {
          await options?.beforeAttempt?.(1);
          sends++;
          throw new Error('instance died');
        },
      };
      const s = { ...settings, maxUncertainRetries };
      await expect(processCase(deps(dying, { settings: s }), loc)).rejects.toThrow('instance died');
      const { client, calls } = recordingClient();
      clock.advance(settings.leaseMs + 1);
      const outcome = await processCase(deps(client, { settings: s }), loc);
      expect(outcome).toMatchObject({ action: 'written', status });
      expect(calls).toHaveLength(callsAfter);
      expect(sends).toBe(1);
      expect(await readResult(store, loc)).toMatchObject({
        status,
        uncertainAttempts: 1,
        paidAttempts: callsAfter,
        ...(status === 'held' ? { error: { code: 'UncertainOutcome' } } : {}),
      });
      // A held case stays held for later events; only an operator's force settles it.
      if (status === 'held') {
        expect(await processCase(deps(client, { settings: s }), loc)).toMatchObject({ action: 'up-to-date' });
        expect(await processCase(deps(client, { settings: s }), loc, { force: true })).toMatchObject({
          action: 'written',
          status: 'verified',
        });
      }
    },
  );

  it('reuses the paid verdict after a crash between the paid call and the result write', async () => {
    const { client, calls } = recordingClient();
    await putPair();
    let crash = true;
    const crashing = faultyStore(store, (op, key) =>
      op === 'put' && key.endsWith('result.json') && crash
        ? new StoreError('Unavailable', 'instance died')
        : undefined,
    );
    const paidAtMs = clock.nowMs();
    await expect(processCase(deps(client, { store: crashing }), loc)).rejects.toThrow('instance died');
    expect(calls).toHaveLength(1);
    expect(await readResult(store, loc)).toBeUndefined();
    crash = false;
    expect(await processCase(deps(client), loc)).toMatchObject({ action: 'busy' });
    clock.advance(settings.leaseMs + 1);
    expect(await processCase(deps(client), loc)).toMatchObject({
      action: 'written',
      status: 'verified',
      upstreamCalled: false,
      reusedPaid: true,
    });
    expect(calls).toHaveLength(1);
    expect(await readResult(store, loc)).toMatchObject({
      status: 'verified',
      requestId: 'FAKE-REQ-1',
      claimSeq: 2,
    });
    // The times are the paid call's, not the recovery's (a lease later).
    const recovered = (await readResult(store, loc))!;
    expect(Date.parse(recovered.lastAttemptAt) - paidAtMs).toBeLessThan(1000);
    expect(Date.parse(recovered.firstAttemptAt)).toBeLessThanOrEqual(Date.parse(recovered.lastAttemptAt));
  });

  it('pays once when many attempts run at the same moment', async () => {
    const { client, calls } = recordingClient();
    await putPair();
    const outcomes = await Promise.all(Array.from({ length: 12 }, () => processCase(deps(client), loc)));
    expect(calls).toHaveLength(1);
    expect(outcomes.filter((o) => o.action === 'written')).toHaveLength(1);
    expect(outcomes.every((o) => ['written', 'busy', 'up-to-date'].includes(o.action))).toBe(true);
  });

  it('pays again only when an operator forces a re-run of a final verdict', async () => {
    const { client, calls } = recordingClient((n) => verdictOf({ requestId: `R-${n}` }));
    await putPair();
    await processCase(deps(client), loc);
    expect(await processCase(deps(client), loc)).toMatchObject({ action: 'up-to-date' });
    expect(await processCase(deps(client), loc, { force: true })).toMatchObject({
      action: 'written',
      upstreamCalled: true,
    });
    expect(calls).toHaveLength(2);
    expect(await readResult(store, loc)).toMatchObject({ requestId: 'R-2', attempts: 2, claimSeq: 2 });
  });

  it('passes the invocation credentials and a deadline inside the lease to the client', async () => {
    const { client, calls } = recordingClient();
    await putPair();
    const credentials = { accessKeyId: 'STS.id', accessKeySecret: 'sts-secret', securityToken: 'tok' };
    const before = clock.nowMs();
    const stillClock = { nowMs: () => before };
    await processCase(deps(client, { credentials, clock: stillClock }), loc, {
      deadlineEpochMs: before + 10 * 60_000,
    });
    expect(calls[0]?.options?.credentials).toEqual(credentials);
    // The call must end 5 s (the lease margin) before the claim's lease does, leaving time to record the paid
    // answer and write result.json before anyone may take the pair over.
    const [ref, auth] = await Promise.all([
      store.head('cases/case-1/ref.jpg'),
      store.head('cases/case-1/auth.jpg'),
    ]);
    const claim = await store.get(claimKey(loc, pairHash(ref?.etag ?? '', auth?.etag ?? ''), 1));
    const { leaseUntilEpochMs } = JSON.parse(claim?.body.toString('utf8') ?? '{}') as {
      leaseUntilEpochMs: number;
    };
    expect(calls[0]?.options?.deadlineEpochMs).toBe(leaseUntilEpochMs - 5_000);
  });

  it("keeps the caller's deadline when it comes before the end of the lease", async () => {
    const { client, calls } = recordingClient();
    await putPair();
    const before = clock.nowMs();
    await processCase(deps(client, { clock: { nowMs: () => before } }), loc, {
      deadlineEpochMs: before + 30_000,
    });
    expect(calls[0]?.options?.deadlineEpochMs).toBe(before + 30_000);
  });

  it('deletes the photos after a verdict when retention is on, keeping result.json', async () => {
    const { client } = recordingClient();
    await putPair();
    await processCase(deps(client, { settings: { ...settings, deletePhotosAfterVerdict: true } }), loc);
    expect(await store.head('cases/case-1/ref.jpg')).toBeUndefined();
    expect(await store.head('cases/case-1/auth.jpg')).toBeUndefined();
    expect(await readResult(store, loc)).toMatchObject({ status: 'verified', photosDeleted: true });
  });

  it('keeps the photos of a rejected pair even when retention is on', async () => {
    const { client } = recordingClient();
    await store.put('cases/case-1/ref.jpg', Buffer.from('not an image'));
    await store.put('cases/case-1/auth.jpg', await jpeg(2));
    await processCase(deps(client, { settings: { ...settings, deletePhotosAfterVerdict: true } }), loc);
    expect(await store.head('cases/case-1/ref.jpg')).toBeDefined();
  });

  it('never modifies the uploaded photos', async () => {
    const { client } = recordingClient();
    await putPair();
    const before = await listAll(store, 'cases/case-1/');
    await processCase(deps(client), loc);
    const after = await listAll(store, 'cases/case-1/');
    for (const photo of before) expect(after.find((e) => e.key === photo.key)?.etag).toBe(photo.etag);
  });

  it('does not write a verdict about a photo replaced during the call', async () => {
    await putPair();
    const { client, calls } = recordingClient(async () => {
      await store.put('cases/case-1/ref.jpg', await jpeg(9));
      return verdictOf();
    });
    expect(await processCase(deps(client), loc)).toEqual({ action: 'superseded' });
    expect(calls).toHaveLength(1);
    expect(await readResult(store, loc)).toBeUndefined();
  });

  it('lets store failures propagate so the event is redelivered', async () => {
    const { client } = recordingClient();
    await putPair();
    const down = faultyStore(store, (op) =>
      op === 'head' ? new StoreError('Throttled', 'SlowDown') : undefined,
    );
    await expect(processCase(deps(client, { store: down }), loc)).rejects.toMatchObject({
      code: 'Throttled',
    });
  });
});
