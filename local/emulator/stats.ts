/** Calls per AccessKey and outcome, for tests and benchmarks (`GET /__emulator/stats`). */
import { z } from 'zod';

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

export function createStats() {
  const stats: EmulatorStats = {
    requests: 0,
    engineCalls: 0,
    qpsThrottled: 0,
    inFlight: 0,
    peakInFlight: 0,
    byOutcome: {},
    byKey: {},
    byAction: {},
    paidCalls: 0,
    paidByKey: {},
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
      stats.paidByKey[key] = (stats.paidByKey[key] ?? 0) + 1;
    },
    finished(accessKeyId: string | undefined, outcome: string, action = '-') {
      stats.inFlight--;
      stats.byOutcome[outcome] = (stats.byOutcome[outcome] ?? 0) + 1;
      const key = accessKeyId ?? '-';
      const perKey = stats.byKey[key] ?? {};
      perKey[outcome] = (perKey[outcome] ?? 0) + 1;
      stats.byKey[key] = perKey;
      const perAction = stats.byAction[action] ?? {};
      perAction[outcome] = (perAction[outcome] ?? 0) + 1;
      stats.byAction[action] = perAction;
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
