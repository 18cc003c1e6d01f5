/** Calls per AccessKey and outcome, for tests and benchmarks (`GET /__emulator/stats`). */
import { z } from 'zod';
import { dict, own, tally } from '../../shared/own.ts';

export const EmulatorStatsSchema = z.object({
  /** Every request to the API path, authenticated or not. */
  requests: z.number(),
  /** Requests that reached the face engine (the billable ones). */
  engineCalls: z.number(),
  /** Requests refused by the QPS limit (IDV_EMULATOR_QPS): answered `Throttling.User`, never billed. */
  qpsThrottled: z.number(),
  /** Requests being answered right now (an injected hang leaves this count at once: it is never answered). */
  inFlight: z.number(),
  /** The most requests ever answered at the same time (concurrency limits are checked against it). */
  peakInFlight: z.number(),
  byOutcome: z.record(z.string(), z.number()),
  /** Per AccessKeyId named by the request (`-` when none): outcome -> count. */
  byKey: z.record(z.string(), z.record(z.string(), z.number())),
  /** Per Action named by an authenticated request (`-` before that): outcome -> count. */
  byAction: z.record(z.string(), z.record(z.string(), z.number())),
  /**
   * Completed paid calls: answers with Code 200 (Alibaba meters "successful calls"), counted when the answer is
   * ready even if the client has gone. Total and per AccessKeyId.
   */
  paidCalls: z.number(),
  paidByKey: z.record(z.string(), z.number()),
});
export type EmulatorStats = z.infer<typeof EmulatorStatsSchema>;

// Keys come from requests (any AccessKeyId or Action, `valueOf` and `__proto__` included): prototype-free records.
const within = (outer: Record<string, Record<string, number>>, key: string) => {
  const inner = own(outer, key) ?? dict<number>();
  outer[key] = inner;
  return inner;
};

export function createStats() {
  const stats: EmulatorStats = {
    requests: 0,
    engineCalls: 0,
    qpsThrottled: 0,
    inFlight: 0,
    peakInFlight: 0,
    byOutcome: dict(),
    byKey: dict(),
    byAction: dict(),
    paidCalls: 0,
    paidByKey: dict(),
  };
  return {
    started() {
      stats.requests++;
      stats.inFlight++;
      stats.peakInFlight = Math.max(stats.peakInFlight, stats.inFlight);
    },
    /** A Code 200 answer is ready for this key (whether or not the client is still there to read it). */
    paid(accessKeyId: string | undefined) {
      const key = accessKeyId ?? '-';
      stats.paidCalls++;
      tally(stats.paidByKey, key);
    },
    finished(accessKeyId: string | undefined, outcome: string, action = '-') {
      stats.inFlight--;
      tally(stats.byOutcome, outcome);
      tally(within(stats.byKey, accessKeyId ?? '-'), outcome);
      tally(within(stats.byAction, action), outcome);
    },
    qpsThrottled() {
      stats.qpsThrottled++;
    },
    engineCalled() {
      stats.engineCalls++;
    },
    snapshot(): EmulatorStats {
      return structuredClone(stats);
    },
  };
}
