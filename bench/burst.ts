/**
 * `npm run bench:burst -- --pairs N --qps Q --latency-ms L [--reserved C|none|formula|2x]` and the other
 * settings of bench/burst/simulate.ts (`--sigma`, `--account-limit`, `--max-retries`, `--max-age-s`,
 * `--timeout-s`, `--oss-ms`, `--upload-s`, `--seed`, `--fc-dispatch queue|backoff`). Simulates a burst of N dropped pairs: the real verify-oss
 * handler under a simulated Function Compute (async queue, concurrency cap, async retries, failure queue)
 * against a simulated upstream limited to Q calls per second with median latency L, in virtual time.
 * `--reserved` defaults to the formula ceil(Q x L / 1000) + 2; `none` means no reserved concurrency (the
 * account's instance limit applies). The last line is the result as JSON. Figures only: nothing is asserted.
 */
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { DEFAULT_BURST_OPTIONS, formulaConcurrency, runBurst } from './burst/simulate.ts';

const { values } = parseArgs({
  options: {
    pairs: { type: 'string', default: '1000' },
    qps: { type: 'string', default: '10' },
    'latency-ms': { type: 'string', default: '800' },
    reserved: { type: 'string', default: 'formula' },
    sigma: { type: 'string' },
    'account-limit': { type: 'string' },
    'max-retries': { type: 'string' },
    'max-age-s': { type: 'string' },
    'timeout-s': { type: 'string' },
    'oss-ms': { type: 'string' },
    'upload-s': { type: 'string' },
    seed: { type: 'string' },
    'fc-dispatch': { type: 'string' },
  },
});

function num(name: string, raw: string | undefined, fallback: number, min = 0): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min) {
    console.error(`bench:burst: --${name} must be a number >= ${min} (got ${raw})`);
    process.exit(2);
  }
  return n;
}

function dispatchOf(raw: string | undefined): 'queue' | 'backoff' {
  if (raw === undefined || raw === 'queue' || raw === 'backoff') return raw ?? 'queue';
  console.error(`bench:burst: --fc-dispatch must be queue or backoff (got ${raw})`);
  process.exit(2);
}

const pairs = Math.floor(num('pairs', values.pairs, 1000, 1));
const qps = num('qps', values.qps, 10, 0.001);
const latencyMs = num('latency-ms', values['latency-ms'], 800, 1);
const formula = formulaConcurrency(qps, latencyMs);
const reservedArg = values.reserved ?? 'formula';
const reserved =
  reservedArg === 'none'
    ? undefined
    : reservedArg === 'formula'
      ? formula
      : reservedArg === '2x'
        ? 2 * formula
        : Math.floor(num('reserved', reservedArg, formula, 1));
const d = DEFAULT_BURST_OPTIONS;
const options = {
  pairs,
  qps,
  latencyMs,
  reserved,
  latencySigma: num('sigma', values.sigma, d.latencySigma),
  accountLimit: Math.floor(num('account-limit', values['account-limit'], d.accountLimit, 1)),
  maxAsyncRetryAttempts: Math.floor(num('max-retries', values['max-retries'], d.maxAsyncRetryAttempts)),
  maxAsyncEventAgeInSeconds: num('max-age-s', values['max-age-s'], d.maxAsyncEventAgeInSeconds, 1),
  timeoutSeconds: num('timeout-s', values['timeout-s'], d.timeoutSeconds, 1),
  ossRequestMs: num('oss-ms', values['oss-ms'], d.ossRequestMs),
  upstreamRttMs: d.upstreamRttMs,
  dispatch: dispatchOf(values['fc-dispatch']),
  uploadSeconds: num('upload-s', values['upload-s'], d.uploadSeconds),
  seed: Math.floor(num('seed', values.seed, d.seed)),
};

// One small compliant JPEG for every photo: the handler's photo checks take their fast path (no re-encode).
const photo = await sharp({ create: { width: 480, height: 360, channels: 3, background: '#5a7a4d' } })
  .jpeg({ quality: 80 })
  .toBuffer();
console.log(
  `bench:burst: ${pairs} pairs, upstream ${qps} QPS, p50 ${latencyMs} ms, reserved concurrency ${
    reserved ?? `none (account limit ${options.accountLimit})`
  } (formula ceil(QPS x p50) + 2 = ${formula}), maxAsyncRetryAttempts ${options.maxAsyncRetryAttempts}, ` +
    `maxAsyncEventAgeInSeconds ${options.maxAsyncEventAgeInSeconds}, FC dispatch ${options.dispatch}`,
);
const t0 = performance.now();
const result = await runBurst(options, photo);
console.log(`simulated ${result.drainSeconds} s in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
console.log(JSON.stringify(result));
