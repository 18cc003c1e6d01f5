/**
 * `npm run deploy:sizing -- [--qps Q] [--p50-ms L] [--backlog-pairs N]`: prints the IDV_RESERVED_CONCURRENCY and
 * IDV_MAX_EVENT_AGE_S that s.yaml reads, for the upstream's QPS limit Q (IDV_UPSTREAM_QPS, default 10), its
 * measured p50 latency L (IDV_UPSTREAM_P50_MS, default 800) and the largest burst of N pairs to absorb
 * (IDV_BACKLOG_PAIRS, default 100,000). See docs/scaling.md.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_UPSTREAM_P50_MS, DEFAULT_UPSTREAM_QPS, largestBacklogFor, sizing } from './sizing.ts';

const { values } = parseArgs({
  options: {
    qps: { type: 'string', default: process.env.IDV_UPSTREAM_QPS ?? String(DEFAULT_UPSTREAM_QPS) },
    'p50-ms': { type: 'string', default: process.env.IDV_UPSTREAM_P50_MS ?? String(DEFAULT_UPSTREAM_P50_MS) },
    'backlog-pairs': { type: 'string', default: process.env.IDV_BACKLOG_PAIRS ?? '100000' },
  },
});
const positive = (name: string, raw: string | undefined): number => {
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) {
    console.error(`deploy:sizing: --${name} must be a positive number (got ${raw})`);
    process.exit(2);
  }
  return n;
};
const qps = positive('qps', values.qps);
const p50Ms = positive('p50-ms', values['p50-ms']);
const pairs = Math.floor(positive('backlog-pairs', values['backlog-pairs']));
const s = sizing(qps, p50Ms, pairs);
console.log(`# upstream ${qps} QPS, p50 ${p50Ms} ms, bursts of up to ${pairs} pairs (docs/scaling.md)`);
console.log(
  `export IDV_RESERVED_CONCURRENCY=${s.reservedConcurrency}   # ceil(${qps} x ${p50Ms / 1000} s) + 2`,
);
console.log(
  `export IDV_MAX_EVENT_AGE_S=${Math.min(86_400, Math.max(s.neededEventAgeS, 3_600))}   # at least ${pairs} / ${qps} x 1.5 = ${s.neededEventAgeS} s (the default, 86400, is FC's maximum)`,
);
if (!s.backlogFits) {
  console.log(
    `# WARNING: ${pairs} pairs need more than FC's longest event age (86400 s) at ${qps} QPS; ` +
      `at most ${largestBacklogFor(86_400, qps)} pairs per burst: split the upload or raise the QPS limit.`,
  );
}
