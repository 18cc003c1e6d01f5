/**
 * The retry policy as data, and the loop that applies it: only throttling and transient failures are retried
 * (errors.ts decides which), never 400/402/403/404 or Z1141; full-jitter exponential backoff
 * (delay = random() * min(maxDelayMs, baseDelayMs * 2^retry), the AWS "full jitter" of smithy's
 * StandardRetryStrategy); no attempt starts and no backoff sleeps past the caller's deadline.
 * Each attempt is a fresh call of `attempt`, so the client signs it anew (new Timestamp and SignatureNonce).
 */
import { z } from 'zod';
import { type Clock, sleep as realSleep } from '../clock.ts';
import { IdvError, isThrottling } from './errors.ts';

const RetryPolicySchema = z.object({
  maxAttempts: z.number().int().min(1).max(20),
  baseDelayMs: z.number().min(0),
  maxDelayMs: z.number().min(0),
  /**
   * Attempts allowed while the gateway keeps refusing with throttling (never billed), when more than
   * maxAttempts: work nobody waits for (the bucket door) keeps its turn until the deadline instead.
   */
  maxThrottledAttempts: z.number().int().min(1).max(1000).optional(),
  /**
   * Retries allowed after attempts whose outcome is unknown and possibly billed (errors.ts billingOf):
   * IDV_MAX_UNCERTAIN_RETRIES, default 1; 0 never retries them.
   */
  maxUncertainRetries: z.number().int().min(0).max(10).optional(),
  /**
   * An attempt starts only with at least this many ms left before the deadline (IDV_MIN_ATTEMPT_MS, default
   * 2,000): one started with less is billed upstream and then cut off by our deadline before its answer
   * arrives, and the pair is paid for again on its retry.
   */
  minAttemptMs: z.number().int().min(1).max(120_000).optional(),
});
export type RetryPolicy = z.infer<typeof RetryPolicySchema>;

export const DEFAULT_MAX_UNCERTAIN_RETRIES = 1;
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 3,
  baseDelayMs: 200,
  maxDelayMs: 2_000,
  maxUncertainRetries: DEFAULT_MAX_UNCERTAIN_RETRIES,
};

/** What the attempts of one call cost: certainly billed, and possibly billed (outcome unknown). */
interface AttemptLedger {
  paid: number;
  uncertain: number;
}

export const DEFAULT_MIN_ATTEMPT_MS = 2_000;

export function resolveRetryPolicy(partial: Partial<RetryPolicy> = {}): RetryPolicy {
  return RetryPolicySchema.parse({ ...DEFAULT_RETRY_POLICY, ...partial });
}

/** Full-jitter delay before retry number `retry` (1 for the first retry). */
export function backoffDelayMs(retry: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(Math.min(Math.max(random(), 0), 1) * ceiling);
}

/**
 * Retry only throttling and transient failures; one whose outcome is unknown (possibly billed) only while the
 * call has spent no more than `maxUncertainRetries` retries on such outcomes (`ledger.uncertain` counts this one).
 */
const shouldRetry = (error: IdvError, ledger: AttemptLedger, maxUncertainRetries: number): boolean =>
  error.retryable && (error.billing !== 'uncertain' || ledger.uncertain <= maxUncertainRetries);

export interface RetryContext {
  policy: RetryPolicy;
  clock: Clock;
  random: () => number;
  deadlineEpochMs?: number;
  signal?: AbortSignal;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Called before each backoff sleep (for logging). */
  onRetry?: (error: IdvError, attempt: number, delayMs: number) => void;
  /** Overrides policy.maxUncertainRetries for this call (the bucket door passes what is left of its budget). */
  maxUncertainRetries?: number;
  /** Filled in as attempts end: billed and possibly billed attempts (see errors.ts billingOf). */
  ledger?: AttemptLedger;
}

/**
 * Runs `attempt(n, timeLeftMs)` until it succeeds, fails permanently, runs out of attempts or of time. The error
 * thrown is the last attempt's IdvError with `attempts` set; `DeadlineExceeded` only when not even the first
 * attempt could start. Any other error `attempt` throws ends the loop as it is.
 */
export async function withRetry<T>(
  attempt: (attemptNumber: number, timeLeftMs: number | undefined) => Promise<T>,
  ctx: RetryContext,
): Promise<T> {
  const sleep = ctx.sleep ?? realSleep;
  const ledger = ctx.ledger ?? { paid: 0, uncertain: 0 };
  const maxUncertain =
    ctx.maxUncertainRetries ?? ctx.policy.maxUncertainRetries ?? DEFAULT_MAX_UNCERTAIN_RETRIES;
  const minAttemptMs = ctx.policy.minAttemptMs ?? DEFAULT_MIN_ATTEMPT_MS;
  const timeLeft = () =>
    ctx.deadlineEpochMs === undefined ? undefined : ctx.deadlineEpochMs - ctx.clock.nowMs();
  for (let n = 1; ; n++) {
    const left = timeLeft();
    if (left !== undefined && left < minAttemptMs) {
      throw new IdvError(
        'DeadlineExceeded',
        `not enough time left for attempt ${n} (${Math.max(0, left)} ms, at least ${minAttemptMs} ms needed): nothing was sent`,
        { attempts: n - 1 },
      );
    }
    try {
      const value = await attempt(n, left);
      ledger.paid += 1;
      return value;
    } catch (err) {
      // Not an IdvError: nothing was sent (the attempt record before the send failed, a bug): not retried.
      if (!(err instanceof IdvError)) throw err;
      const error = err;
      error.attempts = n;
      if (error.billing === 'paid') ledger.paid += 1;
      if (error.billing === 'uncertain') ledger.uncertain += 1;
      const limit = isThrottling(error.code)
        ? Math.max(ctx.policy.maxAttempts, ctx.policy.maxThrottledAttempts ?? 0)
        : ctx.policy.maxAttempts;
      if (!shouldRetry(error, ledger, maxUncertain) || n >= limit || ctx.signal?.aborted) throw error;
      const delayMs = backoffDelayMs(n, ctx.policy, ctx.random);
      const leftAfter = timeLeft();
      if (leftAfter !== undefined && leftAfter - delayMs < minAttemptMs) throw error;
      ctx.onRetry?.(error, n, delayMs);
      try {
        await sleep(delayMs, ctx.signal);
      } catch (abortReason) {
        throw new IdvError('Aborted', 'aborted by the caller while waiting to retry', {
          attempts: n,
          requestId: error.requestId,
          cause: abortReason,
        });
      }
    }
  }
}
