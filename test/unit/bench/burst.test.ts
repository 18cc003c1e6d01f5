/**
 * The burst simulator (bench/burst): virtual time, the in-memory bucket, the simulated FC, and small bursts of
 * the real verify-oss handler. Seeded; every figure asserted here is a count or a virtual-time ratio, never
 * wall-clock time.
 */
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { createFc } from '../../../bench/burst/function-compute.ts';
import { createMemoryBucket } from '../../../bench/burst/memory-bucket.ts';
import {
  type BurstOptions,
  DEFAULT_BURST_OPTIONS,
  formulaConcurrency,
  runBurst,
} from '../../../bench/burst/simulate.ts';
import { createVirtualTime } from '../../../bench/burst/virtual-time.ts';
import { listAll } from '../../../shared/store/types.ts';

let photo: Buffer;
beforeAll(async () => {
  photo = await sharp({ create: { width: 160, height: 120, channels: 3, background: '#557766' } })
    .jpeg()
    .toBuffer();
});

const burst = (over: Partial<BurstOptions>) =>
  runBurst(
    {
      ...DEFAULT_BURST_OPTIONS,
      pairs: 200,
      qps: 10,
      latencyMs: 800,
      reserved: formulaConcurrency(10, 800),
      ...over,
    },
    photo,
  );

describe('virtual time', () => {
  it('fires timers in time order and moves the clock only between them', async () => {
    const time = createVirtualTime(1_000);
    const seen: Array<[string, number]> = [];
    time.at(3_000, () => seen.push(['c', time.nowMs()]));
    time.at(2_000, () => seen.push(['b', time.nowMs()]));
    const sleeper = (async () => {
      await time.sleep(500);
      seen.push(['a', time.nowMs()]);
      await time.sleep(10_000);
      seen.push(['d', time.nowMs()]);
    })();
    expect(await time.run()).toBe(11_500);
    await sleeper;
    expect(seen).toEqual([
      ['a', 1_500],
      ['b', 2_000],
      ['c', 3_000],
      ['d', 11_500],
    ]);
  });
});

describe('the in-memory bucket', () => {
  it('lists in key order across folders, a page at a time, and creates only when absent', async () => {
    const time = createVirtualTime(0);
    const bucket = createMemoryBucket(time, 0);
    const keys = Array.from({ length: 30 }, (_, i) => `cases/c${String(i).padStart(3, '0')}/ref.jpg`);
    for (const k of [...keys].reverse()) bucket.seed(k, Buffer.from(k));
    bucket.seed('other/x.jpg', Buffer.from('x'));
    const page = await bucket.list({ prefix: 'cases/', limit: 7 });
    expect(page.entries.map((e) => e.key)).toEqual(keys.slice(0, 7));
    expect(page.nextToken).toBe(keys[6]);
    expect((await listAll(bucket, 'cases/')).map((e) => e.key)).toEqual(keys);
    expect((await listAll(bucket, 'cases/c003/')).map((e) => e.key)).toEqual([keys[3]]);
    expect(await bucket.putIfAbsent('cases/c003/ref.jpg', Buffer.from('again'))).toEqual({ created: false });
    expect(bucket.requests.ListObjects).toBeGreaterThan(0);
  });
});

describe('the simulated Function Compute', () => {
  it('retries a failing event maxAsyncRetryAttempts times, then dead-letters it', async () => {
    const time = createVirtualTime(0);
    let calls = 0;
    const fc = createFc(
      time,
      {
        concurrency: 2,
        maxAsyncRetryAttempts: 3,
        maxAsyncEventAgeInSeconds: 86_400,
        timeoutSeconds: 60,
        dispatch: 'queue',
      },
      async () => {
        calls++;
        throw new Error('boom');
      },
    );
    fc.invokeAsync(Buffer.from('{}'));
    await time.run();
    expect(calls).toBe(4);
    expect(fc.counts).toMatchObject({ functionErrors: 4, deadLettered: 1 });
  });

  it('queues events beyond the cap and runs them as instances free up', async () => {
    const time = createVirtualTime(0);
    const fc = createFc(
      time,
      {
        concurrency: 3,
        maxAsyncRetryAttempts: 3,
        maxAsyncEventAgeInSeconds: 86_400,
        timeoutSeconds: 60,
        dispatch: 'queue',
      },
      () => time.sleep(1_000),
    );
    for (let i = 0; i < 9; i++) fc.invokeAsync(Buffer.from('{}'));
    expect(await time.run()).toBe(3_000);
    expect(fc.counts).toMatchObject({
      invocations: 9,
      peakConcurrency: 3,
      deadLettered: 0,
      invocationMs: 9_000,
    });
  });

  it('dead-letters queued events older than maxAsyncEventAgeInSeconds', async () => {
    const time = createVirtualTime(0);
    const fc = createFc(
      time,
      {
        concurrency: 1,
        maxAsyncRetryAttempts: 3,
        maxAsyncEventAgeInSeconds: 2,
        timeoutSeconds: 60,
        dispatch: 'queue',
      },
      () => time.sleep(1_000),
    );
    for (let i = 0; i < 5; i++) fc.invokeAsync(Buffer.from('{}'));
    await time.run();
    expect(fc.counts).toMatchObject({ invocations: 3, deadLettered: 2 });
  });

  it('in backoff dispatch, retries a refused event after 0.5 s, 1 s, 2 s, ... (documented doubling)', async () => {
    const time = createVirtualTime(0);
    const starts: number[] = [];
    const fc = createFc(
      time,
      {
        concurrency: 1,
        maxAsyncRetryAttempts: 3,
        maxAsyncEventAgeInSeconds: 86_400,
        timeoutSeconds: 60,
        dispatch: 'backoff',
      },
      async () => {
        starts.push(time.nowMs());
        await time.sleep(2_600);
      },
    );
    fc.invokeAsync(Buffer.from('{}'));
    fc.invokeAsync(Buffer.from('{}'));
    await time.run();
    // Refused at 0, 500 and 1500 (busy until 2600); the third retry, at 3500, finds the instance free.
    expect(starts).toEqual([0, 3_500]);
    expect(fc.counts.concurrencyThrottles).toBe(3);
  });
});

describe('runBurst (the real verify-oss handler)', () => {
  it("with the formula's reserved concurrency, pays each pair once, dead-letters nothing and drains near the QPS", async () => {
    const r = await burst({});
    expect(r.paidCalls).toBe(200);
    expect(r.verified).toBe(200);
    expect(r.deadLettered).toBe(0);
    expect(r.leftForRerun).toBe(0);
    expect(r.idealSeconds).toBe(20);
    expect(r.ratio).toBeLessThanOrEqual(1.15);
    expect(r.fc.invocations).toBe(400); // two photos, two events per pair
    expect(r.fc.peakConcurrency).toBeLessThanOrEqual(10);
  });

  it('is deterministic for a seed', async () => {
    expect(await burst({ pairs: 60 })).toEqual(await burst({ pairs: 60 }));
  });

  it('without a cap, shows the storm: many more throttled calls and instance time for the same pairs', async () => {
    const capped = await burst({});
    const storm = await burst({ reserved: undefined, accountLimit: 100 });
    expect(storm.paidCalls).toBeLessThanOrEqual(200);
    expect(storm.fc.peakConcurrency).toBeGreaterThan(10);
    expect(storm.throttledCalls).toBeGreaterThan(5 * Math.max(1, capped.throttledCalls));
    expect(storm.invocationSeconds).toBeGreaterThan(3 * capped.invocationSeconds);
  });

  it('never pays a pair twice, whatever the cap', async () => {
    for (const reserved of [1, 3, 25]) {
      const r = await burst({ pairs: 80, reserved });
      expect(r.paidCalls).toBeLessThanOrEqual(r.pairs);
      expect(r.paidCalls).toBe(r.verified);
    }
  });
});
