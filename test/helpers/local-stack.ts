/**
 * `npm start` (node --import tsx local/dev.ts) as a child process on ports chosen by the OS, with its bucket
 * folder in a temporary directory; waits for the printed URL and API key. The caller stops it with stop().
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface LocalStack {
  url: string;
  apiKey: string;
  bucketDir: string;
  output(): string;
  stop(): Promise<void>;
}

export async function startLocalStack(
  env: Record<string, string> = {},
  timeoutMs = 120_000,
): Promise<LocalStack> {
  const bucketDir = mkdtempSync(join(tmpdir(), 'idv-stack-bucket-'));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'local/dev.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      PORT: '0',
      IDV_EMULATOR_PORT: '0',
      IDV_BUCKET_DIR: bucketDir,
      IDV_API_KEY: 'browser-test-key-0123456789',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(bucketDir, { recursive: true, force: true });
  };
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const url = /HTTP function:\s+(http:\/\/[\d.]+:\d+)/.exec(out)?.[1];
    const apiKey = /API key:\s+(\S+)/.exec(out)?.[1];
    if (url && apiKey && out.includes('Press Ctrl-C'))
      return { url, apiKey, bucketDir, output: () => out, stop };
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`npm start did not come up:\n${out}`);
}
