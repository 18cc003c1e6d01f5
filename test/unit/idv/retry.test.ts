import { describe, expect, it } from 'vitest';
import type { Clock } from '../../../shared/clock.ts';
import { IdvError, type IdvErrorCode } from '../../../shared/idv/errors.ts';
import {
  backoffDelayMs,
  DEFAULT_RETRY_POLICY,
  type RetryContext,
  resolveRetryPolicy,
  withRetry,
} from '../../../shared/idv/retry.ts';

/** A clock that only moves when the fake sleep sleeps. */
function fakeTime(startMs = 1_000_000) {
  let nowMs = startMs;
  const delays: number[] = [];
  const clock: Clock = { nowMs: () => nowMs };
  const sleep = async (ms: number) => {
    delays.push(ms);
    nowMs += ms;
  };
  return { clock, sleep, delays, advance: (ms: number) => (nowMs += ms) };
}

function failing(codes: IdvErrorCode[], value = 'ok') {
  let calls = 0;
  const fn = async () => {
    const code = codes[calls++];
    if (code) throw new IdvError(code, code);
    return value;
  };
  return { fn, calls: () => calls };
}

const ctx = (over: Partial<RetryContext> = {}): RetryContext => {
  const t = fakeTime();
  return { policy: DEFAULT_RETRY_POLICY, clock: t.clock, sleep: t.sleep, random: () => 0.5, ...over };
};

describe('backoffDelayMs', () => {
  const policy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000 };
  it('is full jitter: random() times the capped exponential ceiling', () => {
    expect(backoffDelayMs(1, policy, () => 0.999999)).toBe(99);
    expect(backoffDelayMs(2, policy, () => 0.5)).toBe(100);
    expect(backoffDelayMs(3, policy, () => 0.5)).toBe(200);
    expect(backoffDelayMs(10, policy, () => 0.5)).toBe(500);
    expect(backoffDelayMs(3, policy, () => 0)).toBe(0);
  });
  it('stays within [0, ceiling] even for a misbehaving random source', () => {
    expect(backoffDelayMs(1, policy, () => 7)).toBe(100);
    expect(backoffDelayMs(1, policy, () => -1)).toBe(0);
  });
});

describe('resolveRetryPolicy', () => {
  it('fills defaults and refuses nonsense', () => {
    expect(resolveRetryPolicy({ maxAttempts: 5 })).toEqual({ ...DEFAULT_RETRY_POLICY, maxAttempts: 5 });
    expect(() => resolveRetryPolicy({ maxAttempts: 0 })).toThrow();
  });
});

describe('withRetry', () => {
  it('retries transient failures and returns the first success', async () => {
    const f = failing(['SystemError', 'Processing']);
    await expect(withRetry(f.fn, ctx())).resolves.toBe('ok');
    expect(f.calls()).toBe(3);
  });

  it.each<IdvErrorCode>([
    'InvalidParameters',
    'QuotaExceeded',
    'NotActivated',
    'InvalidService',
    'InvalidResourceCode',
    'AuthFailed',
    'UnableGetImage',
    'UpstreamRejected',
  ])('never retries %s', async (code) => {
    const f = failing([code, code]);
    const err = await withRetry(f.fn, ctx()).catch((e: IdvError) => e);
    expect(err).toMatchObject({ code, attempts: 1 });
    expect(f.calls()).toBe(1);
  });

  it('gives up after maxAttempts with the last error and its attempt count', async () => {
    const f = failing(['Timeout', 'Network', 'SystemError', 'SystemError']);
    const err = await withRetry(f.fn, ctx({ policy: { ...DEFAULT_RETRY_POLICY, maxAttempts: 3 } })).catch(
      (e) => e,
    );
    expect(err).toMatchObject({ code: 'SystemError', attempts: 3 });
    expect(f.calls()).toBe(3);
  });

  it('keeps retrying throttling up to maxThrottledAttempts when that is more than maxAttempts', async () => {
    const f = failing(Array.from({ length: 9 }, () => 'Throttled' as const));
    const value = await withRetry(
      f.fn,
      ctx({ policy: { ...DEFAULT_RETRY_POLICY, maxAttempts: 3, maxThrottledAttempts: 10 } }),
    );
    expect(value).toBe('ok');
    expect(f.calls()).toBe(10);
  });

  it('gives transient failures only maxAttempts even when throttling may have more', async () => {
    const f = failing(['SystemError', 'SystemError', 'SystemError', 'SystemError']);
    const err = await withRetry(
      f.fn,
      ctx({ policy: { ...DEFAULT_RETRY_POLICY, maxAttempts: 3, maxThrottledAttempts: 10 } }),
    ).catch((e) => e);
    expect(err).toMatchObject({ code: 'SystemError', attempts: 3 });
  });

  it('stops retrying throttling at the deadline, whatever maxThrottledAttempts allows', async () => {
    const t = fakeTime();
    const f = failing(Array.from({ length: 1000 }, () => 'Throttled' as const));
    const err = await withRetry(f.fn, {
      policy: { maxAttempts: 3, baseDelayMs: 200, maxDelayMs: 2_000, maxThrottledAttempts: 1000 },
      clock: t.clock,
      sleep: t.sleep,
      random: () => 0.5,
      deadlineEpochMs: t.clock.nowMs() + 30_000,
    }).catch((e) => e);
    expect(err).toMatchObject({ code: 'Throttled' });
    expect(t.clock.nowMs()).toBeLessThanOrEqual(1_000_000 + 30_000);
    expect(f.calls()).toBeLessThan(1000);
  });

  it('sleeps the jittered backoff between attempts', async () => {
    const t = fakeTime();
    const f = failing(['Throttled', 'Throttled']);
    const randoms = [0.25, 0.75];
    await withRetry(f.fn, {
      policy: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 10_000 },
      clock: t.clock,
      sleep: t.sleep,
      random: () => randoms.shift() ?? 0,
    });
    expect(t.delays).toEqual([25, 150]);
  });

  it('does not start a backoff that would end past the deadline', async () => {
    const t = fakeTime();
    const f = failing(['SystemError', 'SystemError']);
    const err = await withRetry(f.fn, {
      policy: { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 1000, minAttemptMs: 50 },
      clock: t.clock,
      sleep: t.sleep,
      random: () => 1,
      deadlineEpochMs: t.clock.nowMs() + 500,
    }).catch((e) => e);
    expect(err).toMatchObject({ code: 'SystemError', attempts: 1 });
    expect(t.delays).toEqual([]);
  });

  it('starts no attempt with less than minAttemptMs left (default 2 s), and no retry that would', async () => {
    const t = fakeTime();
    const first = failing([]);
    const none = await withRetry(first.fn, {
      policy: { maxAttempts: 3, baseDelayMs: 0, maxDelayMs: 0 },
      clock: t.clock,
      sleep: t.sleep,
      random: () => 0,
      deadlineEpochMs: t.clock.nowMs() + 1_999,
    }).catch((e) => e);
    expect(none).toMatchObject({ code: 'DeadlineExceeded', attempts: 0 });
    expect(first.calls()).toBe(0);
    // With 2.5 s left the first attempt starts; its retry would have under 2 s: the first error stands.
    const f = failing(['SystemError', 'SystemError']);
    const err = await withRetry(
      async () => {
        t.advance(1_000);
        return f.fn();
      },
      {
        policy: { maxAttempts: 3, baseDelayMs: 0, maxDelayMs: 0 },
        clock: t.clock,
        sleep: t.sleep,
        random: () => 0,
        deadlineEpochMs: t.clock.nowMs() + 2_500,
      },
    ).catch((e) => e);
    expect(err).toMatchObject({ code: 'SystemError', attempts: 1 });
    expect(f.calls()).toBe(1);
  });

  it('passes the time left to each attempt', async () => {
    const t = fakeTime();
    const seen: Array<number | undefined> = [];
    const deadline = t.clock.nowMs() + 5000;
    await withRetry(
      async (n, left) => {
        seen.push(left);
        t.advance(1000);
        if (n < 2) throw new IdvError('Timeout', 't');
        return 1;
      },
      {
        policy: DEFAULT_RETRY_POLICY,
        clock: t.clock,
        sleep: t.sleep,
        random: () => 0,
        deadlineEpochMs: deadline,
      },
    );
    expect(seen).toEqual([5000, 4000]);
  });

  it('throws DeadlineExceeded without calling when the deadline has passed', async () => {
    const t = fakeTime();
    const f = failing([]);
    const err = await withRetry(f.fn, {
      ...ctx(),
      clock: t.clock,
      deadlineEpochMs: t.clock.nowMs() - 1,
    }).catch((e) => e);
    expect(err).toMatchObject({ code: 'DeadlineExceeded', attempts: 0 });
    expect(f.calls()).toBe(0);
  });

  it('stops retrying once the caller aborts', async () => {
    const controller = new AbortController();
    let calls = 0;
    const err = await withRetry(
      async () => {
        calls++;
        controller.abort();
        throw new IdvError('SystemError', 's');
      },
      ctx({ signal: controller.signal }),
    ).catch((e) => e);
    expect(err).toMatchObject({ code: 'SystemError', attempts: 1 });
    expect(calls).toBe(1);
  });

  it('lets a non-IdvError thrown by the attempt end the loop as it is (nothing was sent)', async () => {
    let calls = 0;
    const err = await withRetry(async () => {
      calls++;
      throw new TypeError('boom');
    }, ctx()).catch((e) => e);
    expect(err).toBeInstanceOf(TypeError);
    expect(calls).toBe(1);
  });

  it('retries a possibly-billed failure at most maxUncertainRetries times, and counts it', async () => {
    const f = failing(['Timeout', 'Timeout', 'Timeout']);
    const ledger = { paid: 0, uncertain: 0 };
    const err = await withRetry(f.fn, ctx({ ledger, maxUncertainRetries: 1 })).catch((e) => e);
    expect(err).toMatchObject({ code: 'Timeout', attempts: 2 });
    expect(ledger).toEqual({ paid: 0, uncertain: 2 });
  });

  it('never retries a possibly-billed failure when maxUncertainRetries is 0', async () => {
    const f = failing(['ConnectionLost']);
    const err = await withRetry(
      f.fn,
      ctx({ policy: { ...DEFAULT_RETRY_POLICY, maxUncertainRetries: 0 } }),
    ).catch((e) => e);
    expect(err).toMatchObject({ code: 'ConnectionLost', attempts: 1 });
  });

  it('retries certainly-unbilled failures as before, without spending the uncertain budget', async () => {
    const f = failing(['Throttled', 'Network', 'SystemError']);
    const ledger = { paid: 0, uncertain: 0 };
    const value = await withRetry(
      f.fn,
      ctx({ policy: { ...DEFAULT_RETRY_POLICY, maxAttempts: 4, maxUncertainRetries: 0 }, ledger }),
    );
    expect(value).toBe('ok');
    expect(ledger).toEqual({ paid: 1, uncertain: 0 });
  });

  it('never retries Unparseable (a Code 200 reply that cannot be read)', async () => {
    const f = failing(['Unparseable']);
    const err = await withRetry(f.fn, ctx({ maxUncertainRetries: 5 })).catch((e) => e);
    expect(err).toMatchObject({ code: 'Unparseable', attempts: 1 });
  });
});
