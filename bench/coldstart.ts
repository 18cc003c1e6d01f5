/**
 * `npm run bench:coldstart [runs] [filter]`: builds the functions, then per sample event measures the time from
 * spawning a fresh `node` to the handler's first reply (median of N fresh processes, default 10), next to a
 * bare `node` that prints one line, measured the same way in the same run (the baseline). Prints bundle
 * sizes (JavaScript apart from native sharp files), the largest contributors to each bundle, the peak RSS
 * (to size memorySize in s.yaml) and whether each issue target is met. Figures only: nothing is asserted.
 */
import { loadavg } from 'node:os';
import { buildAll } from '../scripts/build.ts';
import { invokeBundle, REPLY_MARK, timeNode } from '../scripts/deploy/invoke-bundle.ts';
import { SAMPLES } from './coldstart-samples.ts';

const runs = Number(process.argv[2] ?? 10);
/** Optional: only samples whose function or label contains this text. */
const only = process.argv[3];
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const kib = (n: number) => (n / 1024).toFixed(1);
const mib = (n: number) => (n / 1024 / 1024).toFixed(1);

async function bare(): Promise<{ ms: number; cpuMs: number }> {
  const script = `const c = process.cpuUsage(); process.stdout.write(${JSON.stringify(REPLY_MARK)} + JSON.stringify({ cpuMs: (c.user + c.system) / 1000 }) + '\\n')`;
  const r = await timeNode(['--input-type=module', '-e', script], process.cwd(), {}, 30_000);
  const { cpuMs } = JSON.parse(r.stdout.slice(r.stdout.indexOf(REPLY_MARK) + REPLY_MARK.length)) as {
    cpuMs: number;
  };
  return { ms: r.firstMarkMs ?? r.elapsedMs, cpuMs };
}

async function main(): Promise<void> {
  const { built, missing } = await buildAll();
  console.log(
    `cold start: median of ${runs} fresh processes, node ${process.version}, load average ${loadavg()[0]!.toFixed(2)}`,
  );
  for (const m of missing) console.log(`${m.name}: not built (${m.entry} does not exist yet)`);
  for (const b of built) {
    const top = b.contributors
      .slice(0, 5)
      .map((c) => `${c.source} ${kib(c.bytes)}`)
      .join(', ');
    const native = b.nativeBytes > 0 ? `, native ${mib(b.nativeBytes)} MiB (sharp, linux-x64)` : '';
    console.log(`${b.name}: js ${kib(b.jsBytes)} KiB${native}; largest: ${top}`);
  }
  const rows: string[][] = [
    [
      'function',
      'sample',
      'js KiB',
      'first reply ms',
      'bare ms',
      'above bare ms',
      'cpu above bare ms',
      'target',
      'peak RSS MiB',
    ],
  ];
  for (const sample of SAMPLES) {
    const b = built.find((x) => x.name === sample.fn);
    if (!b || (only && !`${sample.fn} ${sample.label}`.includes(only))) continue;
    const { event, env, context, stop } = await sample.setup();
    try {
      const times: number[] = [];
      const bares: number[] = [];
      const cpus: number[] = [];
      const bareCpus: number[] = [];
      let rss = 0;
      // Interleave baseline and function runs so that both see the same machine load.
      for (let i = 0; i < runs; i++) {
        const base = await bare();
        bares.push(base.ms);
        bareCpus.push(base.cpuMs);
        const r = await invokeBundle(b.outDir, event, { env, context });
        times.push(r.elapsedMs);
        cpus.push(r.cpuMs);
        rss = Math.max(rss, r.maxRssKiB);
      }
      const above = median(times) - median(bares);
      const t = sample.target;
      const verdict = t
        ? `${b.jsBytes <= t.jsBytes && above <= t.aboveBareMs ? 'met' : 'MISSED'} (<= ${mib(t.jsBytes)} MiB, ${t.aboveBareMs} ms)`
        : 'n/a (includes upstream work)';
      rows.push([
        sample.fn,
        sample.label,
        kib(b.jsBytes),
        median(times).toFixed(0),
        median(bares).toFixed(0),
        above.toFixed(0),
        (median(cpus) - median(bareCpus)).toFixed(0),
        verdict,
        (rss / 1024).toFixed(0),
      ]);
    } finally {
      await stop();
    }
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join('  '));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? `${err.name}: ${err.message}` : err);
  process.exit(1);
});
