/**
 * The verify-oss handler end to end over real HTTP: the real signed client against the emulator on 127.0.0.1,
 * a folder store, FC-shaped OSS events. The emulator runs in `instant` mode (answers without the face engine),
 * so these tests are about delivery: paid calls are counted at the emulator.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createVerifyOssHandler } from '../../../functions/verify-oss/handler.ts';
import { type Emulator, startEmulator } from '../../../local/emulator/server.ts';
import type { FaceEngine } from '../../../local/engine/types.ts';
import { readResult } from '../../../shared/cases/process.ts';
import { createLogger } from '../../../shared/log.ts';
import { StoreError } from '../../../shared/store/errors.ts';
import { createFsStore } from '../../../shared/store/fs.ts';
import type { ObjectStore } from '../../../shared/store/types.ts';
import { faultyStore, fcContext, jpeg, movableClock, ossEventBuffer } from '../../helpers/oss-events.ts';
import { seededRandom, shuffled, testSeed } from '../../helpers/random.ts';
import { UPSTREAM_MATRIX } from '../../helpers/upstream-matrix.ts';

/** instant mode never reaches the engine; this one says so loudly if it ever is. */
const unusedEngine: FaceEngine = {
  compare: async () => {
    throw new Error('the engine is not used in instant mode');
  },
  close: async () => {},
};

describe.each(UPSTREAM_MATRIX)('verify-oss handler with the emulator ($api)', (upstream) => {
  const clock = movableClock();
  const secret = randomBytes(18).toString('base64url');
  const keys = [
    { accessKeyId: 'bucket-ak', accessKeySecret: secret },
    { accessKeyId: 'spent-ak', accessKeySecret: secret, dailyQuota: 0 },
    { accessKeyId: 'inactive-ak', accessKeySecret: secret, activated: false },
  ];
  let emulator: Emulator;
  let root: string;
  let store: ObjectStore;
  const logs: string[] = [];

  const handlerFor = (overrides: Record<string, string> = {}, wrapped?: ObjectStore) =>
    createVerifyOssHandler(
      {
        IDV_ENDPOINT: emulator.url,
        IDV_STORE: 'fs',
        IDV_BUCKET_DIR: root,
        IDV_PREFIX: 'cases',
        IDV_RESOURCE_CODE: '00840000',
        IDV_CLAIM_LEASE_MS: '60000',
        IDV_RETRY_BASE_MS: '30000',
        ALIBABA_CLOUD_ACCESS_KEY_ID: 'bucket-ak',
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: secret,
        ...upstream.env,
        ...overrides,
      },
      { clock, logger: createLogger({ write: (l) => logs.push(l) }), ...(wrapped ? { store: wrapped } : {}) },
    );
  const paid = () => emulator.stats().byOutcome.instant ?? 0;
  const putPair = async (caseId: string, seed: number) => {
    await store.put(`cases/${caseId}/ref.jpg`, await jpeg(seed));
    await store.put(`cases/${caseId}/auth.jpg`, await jpeg(seed + 1000));
  };

  beforeAll(async () => {
    emulator = await startEmulator({
      engine: unusedEngine,
      keys,
      clock,
      faults: { instant: true, latencyMs: 20 },
    });
  });
  afterAll(async () => {
    await emulator.close();
  });
  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'bucket-it-'));
    store = createFsStore({ root });
    emulator.setFaults({ instant: true, latencyMs: 20 });
    logs.length = 0;
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('pays exactly once per pair when both events, duplicated and shuffled, arrive at the same moment', async () => {
    const handler = handlerFor();
    const before = paid();
    const cases = Array.from({ length: 12 }, (_, i) => `pair-${i}`);
    for (const [i, c] of cases.entries()) await putPair(c, i);
    const seed = testSeed();
    const events = shuffled(
      cases.flatMap((c) => [1, 2, 3].flatMap(() => [`cases/${c}/ref.jpg`, `cases/${c}/auth.jpg`])),
      seededRandom(seed),
    );
    const replies = await Promise.all(events.map((key) => handler(ossEventBuffer([key]), fcContext())));
    expect(
      replies.every((r) => r.ok),
      `seed ${seed}`,
    ).toBe(true);
    expect(paid() - before, `seed ${seed}`).toBe(cases.length);
    for (const c of cases) {
      expect(await readResult(store, { prefix: 'cases', caseId: c })).toMatchObject({
        status: 'verified',
        attempts: 1,
      });
    }
    const written = replies.flatMap((r) => r.reports).filter((r) => r.action === 'written');
    expect(written).toHaveLength(cases.length);
  });

  it('repeats the simultaneous pair many times with exactly one paid call each', async () => {
    const handler = handlerFor();
    for (let round = 0; round < 15; round++) {
      const before = paid();
      await putPair(`round-${round}`, 100 + round);
      await Promise.all([
        handler(ossEventBuffer([`cases/round-${round}/ref.jpg`]), fcContext()),
        handler(ossEventBuffer([`cases/round-${round}/auth.jpg`]), fcContext()),
      ]);
      expect(paid() - before).toBe(1);
    }
  });

  it('waits for the partner when events come out of order, and ignores late re-deliveries', async () => {
    const handler = handlerFor();
    const before = paid();
    await store.put('cases/late/auth.jpg', await jpeg(5));
    const first = await handler(ossEventBuffer(['cases/late/auth.jpg']), fcContext());
    expect(first.reports[0]).toMatchObject({ action: 'waiting' });
    await store.put('cases/late/ref.jpg', await jpeg(6));
    const second = await handler(ossEventBuffer(['cases/late/ref.jpg']), fcContext());
    expect(second.reports[0]).toMatchObject({ action: 'written', status: 'verified' });
    const again = await handler(ossEventBuffer(['cases/late/auth.jpg', 'cases/late/ref.jpg']), fcContext());
    expect(again.reports.map((r) => r.action)).toEqual(['up-to-date', 'up-to-date']);
    expect(paid() - before).toBe(1);
  });

  it('handles every record of one event (photos and case.json) and ignores other keys', async () => {
    const handler = handlerFor();
    const before = paid();
    await putPair('multi', 7);
    const reply = await handler(
      ossEventBuffer([
        'cases/multi/ref.jpg',
        'cases/multi/auth.jpg',
        'cases/multi/result.json',
        'cases/multi/case.json',
        'elsewhere/x.png',
      ]),
      fcContext(),
    );
    expect(reply.reports.map((r) => r.action)).toEqual([
      'written',
      'up-to-date',
      'ignored',
      'up-to-date',
      'ignored',
    ]);
    expect(paid() - before).toBe(1);
  });

  it('judges a case again once on the event of its fixed case.json (a new version, one paid call)', async () => {
    const handler = handlerFor();
    const before = paid();
    await putPair('fixme', 11);
    await store.put('cases/fixme/case.json', Buffer.from('{"resourceCode": 84'));
    await handler(ossEventBuffer(['cases/fixme/ref.jpg', 'cases/fixme/auth.jpg']), fcContext());
    expect((await readResult(store, { prefix: 'cases', caseId: 'fixme' }))?.error?.code).toBe(
      'case_json_malformed',
    );
    expect(paid() - before).toBe(0);
    await store.put('cases/fixme/case.json', Buffer.from('{"resourceCode": "00840000", "reference": "r-1"}'));
    const reply = await handler(ossEventBuffer(['cases/fixme/case.json']), fcContext());
    expect(reply.reports).toMatchObject([{ action: 'written', status: 'verified', caseId: 'fixme' }]);
    expect(await readResult(store, { prefix: 'cases', caseId: 'fixme' })).toMatchObject({
      status: 'verified',
      reference: 'r-1',
    });
    // Redelivered events of the same version (any of its three keys) change nothing.
    const again = await handler(
      ossEventBuffer(['cases/fixme/case.json', 'cases/fixme/ref.jpg', 'cases/fixme/auth.jpg']),
      fcContext(),
    );
    expect(again.reports.map((r) => r.action)).toEqual(['up-to-date', 'up-to-date', 'up-to-date']);
    expect(paid() - before).toBe(1);
  });

  it('verifies again a photo replaced after its verdict', async () => {
    const handler = handlerFor();
    const before = paid();
    await putPair('replaced', 8);
    await handler(ossEventBuffer(['cases/replaced/ref.jpg']), fcContext());
    await store.put('cases/replaced/ref.jpg', await jpeg(9));
    await handler(ossEventBuffer(['cases/replaced/ref.jpg']), fcContext());
    await handler(ossEventBuffer(['cases/replaced/ref.jpg']), fcContext());
    expect(paid() - before).toBe(2);
  });

  it('keeps the result of a crash between the paid call and the result write, without paying again', async () => {
    let crash = true;
    const crashing = faultyStore(store, (op, key) =>
      crash && op === 'put' && key.endsWith('/result.json')
        ? new StoreError('Unavailable', 'instance killed')
        : undefined,
    );
    const before = paid();
    await putPair('crash', 11);
    await expect(
      handlerFor({}, crashing)(ossEventBuffer(['cases/crash/ref.jpg']), fcContext()),
    ).rejects.toThrow(/failed/);
    expect(paid() - before).toBe(1);
    crash = false;
    const handler = handlerFor();
    const during = await handler(ossEventBuffer(['cases/crash/auth.jpg']), fcContext());
    expect(during.reports[0]?.action).toBe('busy');
    clock.advance(61_000);
    const rerun = await handler(ossEventBuffer(['cases/crash/ref.jpg']), fcContext());
    expect(rerun.reports[0]).toMatchObject({ action: 'written', status: 'verified' });
    expect(paid() - before).toBe(1);
    expect(await readResult(store, { prefix: 'cases', caseId: 'crash' })).toMatchObject({
      status: 'verified',
      claimSeq: 2,
    });
  });

  it('rejects bad input with a specific code and no call upstream', async () => {
    const handler = handlerFor();
    const requests = emulator.stats().requests;
    await store.put('cases/not-image/ref.jpg', Buffer.from('%PDF-1.4 definitely not a photo'));
    await store.put('cases/not-image/auth.jpg', await jpeg(12));
    await store.put('cases/bad case/ref.jpg', await jpeg(13));
    await store.put('cases/bad case/auth.jpg', await jpeg(14));
    await putPair('bad-json', 15);
    await store.put('cases/bad-json/case.json', Buffer.from('not json'));
    const reply = await handler(
      ossEventBuffer(['cases/not-image/ref.jpg', 'cases/bad case/auth.jpg', 'cases/bad-json/ref.jpg']),
      fcContext(),
    );
    expect(reply.reports.map((r) => 'status' in r && r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect((await readResult(store, { prefix: 'cases', caseId: 'not-image' }))?.error?.code).toBe(
      'photo_unsupported_type',
    );
    expect((await readResult(store, { prefix: 'cases', caseId: 'bad-json' }))?.error?.code).toBe(
      'case_json_malformed',
    );
    const invalid = JSON.parse((await store.get('cases/bad case/result.json'))?.body.toString() ?? '{}');
    expect(invalid).toMatchObject({ status: 'rejected', error: { code: 'invalid_case_id' } });
    expect(emulator.stats().requests).toBe(requests);
  });

  it('marks transient upstream failures retrying, and the rerun completes them with one answered call', async () => {
    emulator.setFaults({ instant: true, systemError: { count: 3 } });
    const handler = handlerFor();
    await putPair('flaky', 16);
    await handler(ossEventBuffer(['cases/flaky/ref.jpg']), fcContext());
    const retrying = await readResult(store, { prefix: 'cases', caseId: 'flaky' });
    expect(retrying).toMatchObject({ status: 'retrying', error: { code: 'SystemError' } });
    expect(retrying?.nextAttemptAt).toBeDefined();
    const before = paid();
    clock.advance(31_000);
    await handler(ossEventBuffer(['cases/flaky/auth.jpg']), fcContext());
    expect(await readResult(store, { prefix: 'cases', caseId: 'flaky' })).toMatchObject({
      status: 'verified',
      attempts: 2,
    });
    expect(paid() - before).toBe(1);
  });

  it('keeps retrying gateway throttling (never billed) within the invocation, beyond the 3 attempts of the HTTP door', async () => {
    emulator.setFaults({ instant: true, throttle: { count: 4 } });
    await putPair('throttled', 22);
    const before = paid();
    await handlerFor()(ossEventBuffer(['cases/throttled/ref.jpg']), fcContext());
    expect(await readResult(store, { prefix: 'cases', caseId: 'throttled' })).toMatchObject({
      status: 'verified',
      paidAttempts: 1,
      uncertainAttempts: 0,
    });
    expect(paid() - before).toBe(1);
  });

  it('retries a spent daily quota after the reset (where the API has a quota reply); an account not activated leaves the case unjudged', async () => {
    await putPair('quota', 17);
    const spent = handlerFor({ ALIBABA_CLOUD_ACCESS_KEY_ID: 'spent-ak' });
    if (upstream.quotaSpent.caseStatus === 'retrying') {
      await spent(ossEventBuffer(['cases/quota/ref.jpg']), fcContext());
      const quota = await readResult(store, { prefix: 'cases', caseId: 'quota' });
      expect(quota).toMatchObject({ status: 'retrying', error: { code: upstream.quotaSpent.caseCode } });
      expect(quota?.nextAttemptAt).toMatch(/T00:00:00\.000Z$/);
    } else {
      // Cloudauth-intl has no quota reply: a spent plan reads as an account that cannot be charged (run-level).
      await expect(spent(ossEventBuffer(['cases/quota/ref.jpg']), fcContext())).rejects.toThrow();
      expect(await readResult(store, { prefix: 'cases', caseId: 'quota' })).toBeUndefined();
    }
    await putPair('inactive', 18);
    // A run-level error, not a case outcome: no result, no attempt spent; the invocation fails (FC redelivers).
    await expect(
      handlerFor({ ALIBABA_CLOUD_ACCESS_KEY_ID: 'inactive-ak' })(
        ossEventBuffer(['cases/inactive/ref.jpg']),
        fcContext(),
      ),
    ).rejects.toThrow();
    expect(await readResult(store, { prefix: 'cases', caseId: 'inactive' })).toBeUndefined();
  });

  it.runIf(upstream.usesResourceCode)(
    'fails for good on a resourceCode the upstream does not know (Z1141)',
    async () => {
      await putPair('z1141', 19);
      await store.put('cases/z1141/case.json', Buffer.from('{"resourceCode":"99999999"}'));
      await handlerFor()(ossEventBuffer(['cases/z1141/ref.jpg']), fcContext());
      expect(await readResult(store, { prefix: 'cases', caseId: 'z1141' })).toMatchObject({
        status: 'failed',
        error: { code: 'InvalidResourceCode' },
      });
    },
  );

  it('skips records that are not ObjectCreated events or do not validate, and handles the rest', async () => {
    await putPair('mixed', 21);
    const good = JSON.parse(ossEventBuffer(['cases/mixed/ref.jpg']).toString()).events[0];
    const removed = { ...good, eventName: 'ObjectRemoved:DeleteObject' };
    const broken = { eventSource: 'acs:oss' };
    const reply = await handlerFor()(
      Buffer.from(JSON.stringify({ events: [removed, broken, good] })),
      fcContext(),
    );
    expect(reply).toMatchObject({ ok: true, counts: { records: 3, invalidRecord: 2, written: 1 } });
  });

  it('waits for the partner of a photo in an invalid case folder before rejecting it', async () => {
    await store.put('cases/a b/ref.jpg', await jpeg(22));
    const first = await handlerFor()(ossEventBuffer(['cases/a b/ref.jpg']), fcContext());
    expect(first.reports[0]).toMatchObject({ action: 'waiting' });
    await store.put('cases/a b/auth.jpg', await jpeg(23));
    const second = await handlerFor()(ossEventBuffer(['cases/a b/auth.jpg']), fcContext());
    expect(second.reports[0]).toMatchObject({ action: 'written', status: 'rejected' });
    const again = await handlerFor()(ossEventBuffer(['cases/a b/auth.jpg']), fcContext());
    expect(again.reports[0]).toMatchObject({ action: 'up-to-date' });
  });

  it('answers a non-OSS event without throwing and logs no secrets or photo bytes', async () => {
    const reply = await handlerFor()(Buffer.from('{"hello":1}'), fcContext());
    expect(reply).toMatchObject({ ok: false, error: { code: 'InvalidEvent' } });
    await putPair('logs', 20);
    await handlerFor()(
      ossEventBuffer(['cases/logs/ref.jpg']),
      fcContext({
        credentials: {
          accessKeyId: 'bucket-ak',
          accessKeySecret: secret,
          securityToken: 'tok-should-not-leak',
        },
      }),
    );
    const text = logs.join('\n');
    expect(text).not.toContain(secret);
    expect(text).not.toContain('tok-should-not-leak');
    const photo = (await store.get('cases/logs/ref.jpg'))?.body.toString('base64') ?? 'x';
    expect(text).not.toContain(photo.slice(0, 40));
  });
});
