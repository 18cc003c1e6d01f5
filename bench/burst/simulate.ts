/**
 * The burst simulator's core: `pairs` photo pairs are in the bucket (an in-memory ObjectStore whose requests
 * take OSS-like time), each upload has queued its OSS event (two per pair: ref.jpg and auth.jpg), and the
 * simulated Function Compute invokes the REAL verify-oss handler (functions/verify-oss/handler.ts: event
 * parsing, claims, state machine, result.json, its retry policy) for each, under a concurrency cap, against a
 * simulated upstream with a QPS limit. Everything runs in virtual time, so 100,000 pairs at 10 QPS (almost
 * six simulated hours) take a minute or two of CPU.
 */
import { createVerifyOssHandler } from '../../functions/verify-oss/handler.ts';
import { photoKey } from '../../shared/cases/layout.ts';
import { resolveRetryPolicy } from '../../shared/idv/retry.ts';
import { silentLogger } from '../../shared/log.ts';
import { QUEUED_WORK_RETRY } from '../../shared/wiring.ts';
import { createFc, type FcCounts } from './function-compute.ts';
import { createMemoryBucket, type OssRequestKind } from './memory-bucket.ts';
import { createUpstream, simulatedClient } from './upstream.ts';
import { createVirtualTime } from './virtual-time.ts';

export interface BurstOptions {
  pairs: number;
  qps: number;
  /** Median latency of a paid upstream call. */
  latencyMs: number;
  /** Spread of the upstream latency (sigma of its logarithm). */
  latencySigma: number;
  /** Reserved concurrency of verify-oss; undefined: none (the account's instance limit applies). */
  reserved: number | undefined;
  /** The account's per-region instance limit (FC default 100). */
  accountLimit: number;
  maxAsyncRetryAttempts: number;
  maxAsyncEventAgeInSeconds: number;
  /** Function timeout of verify-oss (s.yaml: 60). */
  timeoutSeconds: number;
  /** Time of one OSS request from FC (same region). */
  ossRequestMs: number;
  /** Network round trip of a refused upstream call. */
  upstreamRttMs: number;
  /** How FC's async queue meets the concurrency cap (function-compute.ts). */
  dispatch: 'queue' | 'backoff';
  /** The uploads are spread evenly over this many seconds (0: every event at once). */
  uploadSeconds: number;
  seed: number;
}

export const DEFAULT_BURST_OPTIONS: Omit<BurstOptions, 'pairs' | 'qps' | 'latencyMs' | 'reserved'> = {
  latencySigma: 0.25,
  accountLimit: 100,
  maxAsyncRetryAttempts: 3,
  maxAsyncEventAgeInSeconds: 86_400,
  timeoutSeconds: 60,
  ossRequestMs: 10,
  upstreamRttMs: 20,
  dispatch: 'queue',
  uploadSeconds: 0,
  seed: 17,
};

export interface BurstResult {
  pairs: number;
  paidCalls: number;
  throttledCalls: number;
  drainSeconds: number;
  idealSeconds: number;
  ratio: number;
  reservedConcurrency: number | null;
  dispatch: 'queue' | 'backoff';
  invocationSeconds: number;
  deadLettered: number;
  /** Pairs whose result.json is final (verified), and those left waiting for the timer's rerun. */
  verified: number;
  leftForRerun: number;
  fc: Omit<FcCounts, 'invocationMs' | 'lastEventDoneAtMs'> & { allEventsDoneSeconds: number };
  ossRequests: Record<OssRequestKind, number>;
}

/** Seeded uniform random numbers (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** reserved = ceil(QPS x p50 latency in s) + margin: enough instances to keep the upstream at its limit. */
export const formulaConcurrency = (qps: number, latencyMs: number, margin = 2): number =>
  Math.ceil((qps * latencyMs) / 1000) + margin;

export const caseIdOf = (i: number) => `c${String(i).padStart(7, '0')}`;

export async function runBurst(options: BurstOptions, photo: Buffer): Promise<BurstResult> {
  const startEpochMs = Date.UTC(2026, 0, 5, 1, 0, 0);
  const time = createVirtualTime(startEpochMs);
  const random = seededRandom(options.seed);
  const bucket = createMemoryBucket(time, options.ossRequestMs);
  const upstream = createUpstream(
    time,
    { qps: options.qps, p50Ms: options.latencyMs, sigma: options.latencySigma, rttMs: options.upstreamRttMs },
    random,
  );
  const client = simulatedClient(time, upstream, resolveRetryPolicy(QUEUED_WORK_RETRY), random);
  const env = { IDV_STORE: 'oss', IDV_PREFIX: 'cases', IDV_RESOURCE_CODE: '00840000' };
  const handler = createVerifyOssHandler(env, { clock: time, logger: silentLogger, store: bucket, client });
  const fc = createFc(
    time,
    {
      concurrency: options.reserved ?? options.accountLimit,
      maxAsyncRetryAttempts: options.maxAsyncRetryAttempts,
      maxAsyncEventAgeInSeconds: options.maxAsyncEventAgeInSeconds,
      timeoutSeconds: options.timeoutSeconds,
      dispatch: options.dispatch,
    },
    handler,
  );

  const gapMs = options.pairs > 0 ? (options.uploadSeconds * 1000) / options.pairs : 0;
  for (let i = 0; i < options.pairs; i++) {
    const location = { prefix: 'cases', caseId: caseIdOf(i) };
    for (const role of ['ref', 'auth'] as const) {
      const key = photoKey(location, role);
      bucket.seed(key, photo);
      const event = Buffer.from(
        JSON.stringify({
          events: [
            {
              eventName: 'ObjectCreated:PutObject',
              eventSource: 'acs:oss',
              region: 'ap-southeast-1',
              oss: { bucket: { name: 'idv-burst' }, object: { key, size: photo.length } },
            },
          ],
        }),
      );
      time.at(startEpochMs + i * gapMs, () => fc.invokeAsync(event));
    }
  }

  let lastVerdictAtMs = startEpochMs;
  let verified = 0;
  const finalSeen = new Set<string>();
  const realPut = bucket.put.bind(bucket);
  bucket.put = async (key, body, putOptions) => {
    const out = await realPut(key, body, putOptions);
    if (key.endsWith('/result.json') && !finalSeen.has(key)) {
      const status = (JSON.parse(body.toString('utf8')) as { status: string }).status;
      if (status === 'verified' || status === 'rejected' || status === 'failed') {
        finalSeen.add(key);
        verified += status === 'verified' ? 1 : 0;
        lastVerdictAtMs = time.nowMs();
      }
    }
    return out;
  };

  await time.run();
  const drainSeconds = (lastVerdictAtMs - startEpochMs) / 1000;
  const idealSeconds = options.pairs / options.qps;
  const { invocationMs, lastEventDoneAtMs, ...fcCounts } = fc.counts;
  return {
    pairs: options.pairs,
    paidCalls: upstream.counts.paid,
    throttledCalls: upstream.counts.throttled,
    drainSeconds: round(drainSeconds),
    idealSeconds: round(idealSeconds),
    ratio: idealSeconds > 0 ? round(drainSeconds / idealSeconds, 3) : 0,
    reservedConcurrency: options.reserved ?? null,
    dispatch: options.dispatch,
    invocationSeconds: round(invocationMs / 1000),
    deadLettered: fc.counts.deadLettered,
    verified,
    leftForRerun: options.pairs - finalSeen.size,
    fc: { ...fcCounts, allEventsDoneSeconds: round((lastEventDoneAtMs - startEpochMs) / 1000) },
    ossRequests: { ...bucket.requests },
  };
}

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;
