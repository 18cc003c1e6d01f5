/**
 * A simulated Function Compute 3.0 for asynchronous invocations (OSS trigger events), following Alibaba's
 * "Configure a retry mechanism" page (alibabacloud.com/help/en/functioncompute/fc/error-handling-1-2):
 * - an event is invoked when an instance is free under the function's concurrency cap (its reserved
 *   concurrency, else the account's per-region instance limit, 100 by default);
 * - "Concurrency limit exceeded": retried for up to 5 hours with exponential backoff, the first retry 0.5 s
 *   after, then 1 s, 2 s, 4 s, 8 s, ...; not billed and not counted as a retry attempt;
 * - a function error (the handler throws) is retried up to maxAsyncRetryAttempts times (billed);
 * - an event older than maxAsyncEventAgeInSeconds, or whose retries are spent, goes to the onFailure
 *   destination (the failure queue): counted here as dead-lettered.
 * The delay before a function-error retry is not documented; the same doubling from 0.5 s is assumed.
 * Instances start without a cold start (bench:coldstart measures that separately).
 *
 * How the async queue meets the concurrency cap is not documented beyond that table, so two readings:
 * - `queue` (default): FC's dispatcher takes the next queued event when an instance frees up, as a queue
 *   consumer that respects the cap would; events wait in the queue (only maxAsyncEventAgeInSeconds applies).
 * - `backoff`: every event is invoked at once and each one refused at the cap follows the documented doubling
 *   (0.5 s, 1 s, 2 s, ...) on its own, for at most 5 hours: the worst case for a deep backlog, since a
 *   refused event's next try soon lies far in the future while instances sit idle.
 */
import type { VirtualTime } from './virtual-time.ts';

export interface FcOptions {
  /** Instances at once: reserved concurrency, or the account limit when none is reserved. */
  concurrency: number;
  maxAsyncRetryAttempts: number;
  maxAsyncEventAgeInSeconds: number;
  /** Function timeout; an invocation still running then counts as a function error. */
  timeoutSeconds: number;
  /** How queued events meet the cap (see above). */
  dispatch: 'queue' | 'backoff';
}

export type FcHandler = (event: Buffer, context: unknown) => Promise<unknown>;

/** FC keeps retrying a throttled event for this long at most (the documented 5 hours). */
export const THROTTLE_RETRY_WINDOW_MS = 5 * 3_600_000;
const FIRST_RETRY_MS = 500;

export interface FcCounts {
  invocations: number;
  /** Invocations refused because every instance under the cap was busy (retried by FC, not billed). */
  concurrencyThrottles: number;
  functionErrors: number;
  timeouts: number;
  deadLettered: number;
  /** Sum of invocation durations (billed instance time). */
  invocationMs: number;
  peakConcurrency: number;
  /** Virtual time at which the last event finished or was dead-lettered. */
  lastEventDoneAtMs: number;
}

export interface SimulatedFc {
  readonly counts: FcCounts;
  /** An asynchronous invocation (FC answers 202 and queues the event). */
  invokeAsync(event: Buffer): void;
}

export function createFc(time: VirtualTime, options: FcOptions, handler: FcHandler): SimulatedFc {
  const counts: FcCounts = {
    invocations: 0,
    concurrencyThrottles: 0,
    functionErrors: 0,
    timeouts: 0,
    deadLettered: 0,
    invocationMs: 0,
    peakConcurrency: 0,
    lastEventDoneAtMs: time.nowMs(),
  };
  const maxAgeMs = options.maxAsyncEventAgeInSeconds * 1000;
  let running = 0;
  let ids = 0;

  interface Pending {
    event: Buffer;
    firstAtMs: number;
    throttles: number;
    errors: number;
  }

  const done = () => {
    counts.lastEventDoneAtMs = Math.max(counts.lastEventDoneAtMs, time.nowMs());
  };
  const deadLetter = () => {
    counts.deadLettered++;
    done();
  };
  const retryAt = (p: Pending, atMs: number, windowMs: number) => {
    if (atMs - p.firstAtMs > Math.min(maxAgeMs, windowMs)) {
      deadLetter();
      return;
    }
    time.at(atMs, () => dispatch(p));
  };

  const waiting: Pending[] = [];
  let head = 0;
  const takeNext = () => {
    while (head < waiting.length && running < options.concurrency) {
      const next = waiting[head++] as Pending;
      if (time.nowMs() - next.firstAtMs > maxAgeMs) deadLetter();
      else start(next);
    }
    if (head > 4096 && head * 2 > waiting.length) {
      waiting.splice(0, head);
      head = 0;
    }
  };

  function dispatch(p: Pending): void {
    if (options.dispatch === 'queue') {
      waiting.push(p);
      takeNext();
      return;
    }
    if (running >= options.concurrency) {
      counts.concurrencyThrottles++;
      p.throttles++;
      retryAt(p, time.nowMs() + FIRST_RETRY_MS * 2 ** (p.throttles - 1), THROTTLE_RETRY_WINDOW_MS);
      return;
    }
    start(p);
  }

  function start(p: Pending): void {
    running++;
    counts.invocations++;
    counts.peakConcurrency = Math.max(counts.peakConcurrency, running);
    const startMs = time.nowMs();
    const requestId = `fc-${++ids}`;
    const context = { requestId, function: { name: 'idv-verify-oss', timeout: options.timeoutSeconds } };
    handler(p.event, context).then(
      () => finish(p, startMs, false),
      () => finish(p, startMs, true),
    );
  }

  function finish(p: Pending, startMs: number, failed: boolean): void {
    running--;
    if (options.dispatch === 'queue') time.at(time.nowMs(), takeNext);
    const durationMs = time.nowMs() - startMs;
    counts.invocationMs += durationMs;
    const timedOut = durationMs > options.timeoutSeconds * 1000;
    if (timedOut) counts.timeouts++;
    if (!failed && !timedOut) {
      done();
      return;
    }
    counts.functionErrors++;
    p.errors++;
    if (p.errors > options.maxAsyncRetryAttempts) {
      deadLetter();
      return;
    }
    retryAt(p, time.nowMs() + FIRST_RETRY_MS * 2 ** (p.errors - 1), Number.POSITIVE_INFINITY);
  }

  return {
    counts,
    invokeAsync(event) {
      dispatch({ event, firstAtMs: time.nowMs(), throttles: 0, errors: 0 });
    },
  };
}
