/**
 * Sizing of verify-oss for bursts (docs/scaling.md), as pure functions that `npm run deploy:sizing` prints
 * and the s.yaml test checks against s.yaml's defaults. Serverless Devs evaluates no arithmetic in s.yaml, so
 * the derived numbers are computed here and passed as IDV_RESERVED_CONCURRENCY / IDV_MAX_EVENT_AGE_S.
 * - Reserved concurrency: FC's own rule "execution concurrency = request rate x execution duration"
 *   (alibabacloud.com/help/en/functioncompute/synchronous-invocations), with the rate at the upstream's QPS limit and the
 *   duration at the paid call's p50 latency: ceil(QPS x p50 s) + MARGIN instances keep the upstream busy at its
 *   limit (the margin covers the invocation's own OSS requests and the cheap second event of each pair)
 *   without a crowd of instances that wait for a turn and pay for it.
 * - Event age: the last event of a backlog of N pairs leaves FC's queue after about N / QPS seconds; with
 *   BACKLOG_MARGIN it must fit under maxAsyncEventAgeInSeconds (at most 86,400 s, FC's limit).
 */

/** Instances above ceil(QPS x p50): the invocation's OSS requests and the second photo's event. */
export const CONCURRENCY_MARGIN = 2;
export const BACKLOG_MARGIN = 1.5;
/** FC 3.0's upper bound of maxAsyncEventAgeInSeconds. */
export const MAX_EVENT_AGE_S = 86_400;
/** The documented defaults s.yaml is sized for: Cloudauth-intl's 10 QPS per API, a p50 of 800 ms. */
export const DEFAULT_UPSTREAM_QPS = 10;
export const DEFAULT_UPSTREAM_P50_MS = 800;

export const reservedConcurrencyFor = (qps: number, p50Ms: number): number =>
  Math.ceil((qps * p50Ms) / 1000 - 1e-9) + CONCURRENCY_MARGIN;

/** Seconds for a backlog of `pairs` to leave the queue at `qps`, with the margin. */
export const backlogSecondsFor = (pairs: number, qps: number): number =>
  Math.ceil((pairs / qps) * BACKLOG_MARGIN);

/** The largest backlog (pairs) that a given event age lets through at `qps`. */
export const largestBacklogFor = (eventAgeS: number, qps: number): number =>
  Math.floor((eventAgeS / BACKLOG_MARGIN) * qps);

export interface Sizing {
  reservedConcurrency: number;
  /** The least maxAsyncEventAgeInSeconds for the backlog (s.yaml keeps FC's maximum, 86,400, by default). */
  neededEventAgeS: number;
  /** False when the backlog cannot drain within FC's longest event age: split the upload or raise the QPS. */
  backlogFits: boolean;
}

export function sizing(qps: number, p50Ms: number, backlogPairs: number): Sizing {
  const needed = backlogSecondsFor(backlogPairs, qps);
  return {
    reservedConcurrency: reservedConcurrencyFor(qps, p50Ms),
    neededEventAgeS: needed,
    backlogFits: needed <= MAX_EVENT_AGE_S,
  };
}
