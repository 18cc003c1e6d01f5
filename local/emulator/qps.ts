/**
 * The gateway's flow control, as a token bucket per AccessKey and per API (IDV_EMULATOR_QPS; off when unset).
 * Alibaba's ID Verification limits are per API and per account ("ID Verification server-side API QPS limits":
 * FACE_COMPARE 10 per tenant, shared by every RAM user of the account; "Server-side API reference": 10 QPS per
 * API in ap-southeast-1); the emulator's keys stand for accounts. A bucket holds at most `qps` tokens (one
 * second of calls, at least one) and refills continuously at `qps` per second, so a burst of 50 calls at QPS 5 lets 5
 * through and refuses the rest; a steady `qps` calls per second are never refused.
 * A refused call is answered `Throttling.User` (replies.ts: HTTP 400, "Request was denied due to user flow
 * control.", as Alibaba's gateway answers it) before any other work and is never billed.
 */
import type { Clock } from '../../shared/clock.ts';

interface QpsLimiter {
  /** The configured limit, or undefined when off. */
  readonly qps: number | undefined;
  /** Takes one token from the bucket of this key and API; false (nothing taken) when it is empty. */
  take(accessKeyId: string, api: string): boolean;
}

export function createQpsLimiter(clock: Clock, qps: number | undefined): QpsLimiter {
  if (qps === undefined) return { qps, take: () => true };
  if (!(qps > 0)) throw new RangeError('qps must be a positive number');
  // At least one token, so that a limit below 1 QPS still lets a call through now and then.
  const capacity = Math.max(1, qps);
  const buckets = new Map<string, { tokens: number; atMs: number }>();
  return {
    qps,
    take(accessKeyId, api) {
      const key = `${accessKeyId}\n${api}`;
      const nowMs = clock.nowMs();
      const bucket = buckets.get(key) ?? { tokens: capacity, atMs: nowMs };
      bucket.tokens = Math.min(capacity, bucket.tokens + (Math.max(0, nowMs - bucket.atMs) * qps) / 1000);
      bucket.atMs = nowMs;
      buckets.set(key, bucket);
      if (bucket.tokens < 1) return false;
      bucket.tokens -= 1;
      return true;
    },
  };
}
