/** `npm run emulator` as a child process for the benchmarks: instant mode (no engine) at a fixed latency. */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { STATS_PATH } from '../local/emulator/server.ts';
import { type EmulatorStats, EmulatorStatsSchema } from '../local/emulator/stats.ts';

export interface RemoteEmulator {
  url: string;
  /** CPU time the emulator process has used so far (user + system, ms), from /proc; undefined elsewhere. */
  cpuMs(): Promise<number | undefined>;
  stats(): Promise<EmulatorStats>;
  close(): Promise<void>;
}

/** Answers "passed" after `latencyMs` without the engine; stats() reads its call counts. */
export async function spawnEmulator(
  accessKeyId: string,
  accessKeySecret: string,
  latencyMs: number,
): Promise<RemoteEmulator> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/emulator/main.ts'], {
    env: {
      PATH: process.env.PATH ?? '',
      IDV_EMULATOR_PORT: '0',
      IDV_EMULATOR_ACCESS_KEY_ID: accessKeyId,
      IDV_EMULATOR_ACCESS_KEY_SECRET: accessKeySecret,
      IDV_EMULATOR_FAULTS: JSON.stringify({ instant: true, latencyMs }),
      LOG_LEVEL: 'error',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`the emulator exited (${code}): ${out}`)));
  });
  return {
    url,
    cpuMs: () => processCpuMs(child.pid),
    stats: async () => EmulatorStatsSchema.parse(await (await fetch(`${url}${STATS_PATH}`)).json()),
    close: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** utime + stime of a Linux process in ms (fields 14 and 15 of /proc/<pid>/stat, in clock ticks of 10 ms). */
async function processCpuMs(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}
