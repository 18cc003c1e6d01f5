/**
 * The simulated upstream: the emulator's own QPS limiter (local/emulator/qps.ts: a token bucket per key and
 * API) in virtual time, answering in Alibaba's shapes (local/emulator/replies.ts). A refused call is answered
 * `Throttling.User` after one network round trip and is not billed; an accepted one is billed and answered
 * after a latency drawn from a log-normal distribution whose median is the given p50.
 * The simulated client runs the real retry loop (shared/idv/retry.ts, with the bucket door's policy) and
 * the real reply parser (shared/idv/reply.ts) on those answers.
 */
import { createQpsLimiter } from '../../local/emulator/qps.ts';
import { gatewayError } from '../../local/emulator/replies.ts';
import { judgedReply } from '../../local/emulator/service.ts';
import { parseReply } from '../../shared/idv/reply.ts';
import { type RetryPolicy, withRetry } from '../../shared/idv/retry.ts';
import type { IdvClient } from '../../shared/idv/types.ts';
import type { VirtualTime } from './virtual-time.ts';

export interface UpstreamOptions {
  qps: number;
  /** Median latency of a paid call. */
  p50Ms: number;
  /** Spread of the log-normal latency (sigma of its logarithm); 0 gives a fixed latency. */
  sigma: number;
  /** Network round trip of a refused call. */
  rttMs: number;
}

export interface SimulatedUpstream {
  readonly counts: { paid: number; throttled: number };
  call(): Promise<{ status: number; body: Record<string, unknown> }>;
}

/** Standard normal from two uniforms (Box-Muller). */
const normal = (random: () => number) =>
  Math.sqrt(-2 * Math.log(Math.max(random(), 1e-12))) * Math.cos(2 * Math.PI * random());

export function createUpstream(
  time: VirtualTime,
  options: UpstreamOptions,
  random: () => number,
): SimulatedUpstream {
  const limiter = createQpsLimiter(time, options.qps);
  const counts = { paid: 0, throttled: 0 };
  let n = 0;
  return {
    counts,
    async call() {
      const requestId = `SIM-${++n}`;
      await time.sleep(options.rttMs / 2);
      if (!limiter.take('fc-idv', '2019-05-21/ExecuteRequest')) {
        counts.throttled++;
        await time.sleep(options.rttMs / 2);
        const reply = gatewayError('Throttling.User', requestId, 'saf.ap-southeast-1.aliyuncs.com');
        return { status: reply.status, body: reply.body };
      }
      counts.paid++;
      const latencyMs = options.p50Ms * Math.exp(options.sigma * normal(random));
      await time.sleep(Math.max(0, latencyMs - options.rttMs / 2));
      const reply = judgedReply(true, false, 90, requestId);
      return { status: reply.status, body: reply.body };
    },
  };
}

/** An IdvClient whose attempts go to the simulated upstream, through the real retry loop and reply parser. */
export function simulatedClient(
  time: VirtualTime,
  upstream: SimulatedUpstream,
  policy: RetryPolicy,
  random: () => number,
): IdvClient {
  return {
    verify: (_request, options = {}) =>
      withRetry(
        async (attempt) => {
          const { status, body } = await upstream.call();
          return { ...parseReply(body, { httpStatus: status }), attempts: attempt };
        },
        {
          policy,
          clock: time,
          random,
          deadlineEpochMs: options.deadlineEpochMs,
          sleep: time.sleep,
        },
      ),
  };
}
