/**
 * Runs a built function the way FC does on a cold start: a fresh Node process loads `<dir>/index.mjs` and
 * calls `handler(eventBuffer, context)` once. Used by the bundle tests (is the folder self-contained?) and by
 * bench/coldstart.ts (how long until the first reply?). The child's cwd is the bundle folder and it gets only
 * the environment given here, so nothing of the repo (node_modules, .env) can leak into it.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface InvokeOptions {
  /** Environment of the function (PATH is added). */
  env?: Record<string, string>;
  /** FC context passed as the second argument. */
  context?: Record<string, unknown>;
  /** Kill the child after this long (default 60 s). */
  timeoutMs?: number;
}

export interface InvokeResult {
  /** What the handler returned (JSON round-trip). */
  reply: unknown;
  /** From spawn to the reply line, measured in the parent. */
  elapsedMs: number;
  /** Peak resident memory of the child, in KiB. */
  maxRssKiB: number;
  /** CPU time (user + system) the child had used when it replied, in ms: less sensitive to machine load. */
  cpuMs: number;
  /** What the function wrote to stdout and stderr (its logs). */
  logs: string;
}

export class InvokeError extends Error {
  override readonly name = 'InvokeError';
  readonly code = 'BundleInvocationFailed';
}

const MARK = '\u0000REPLY\u0000';

/** The child: read the event file, import the bundle, call the handler, print one marked line. */
const CHILD = `
import { readFileSync } from 'node:fs';
const [, url, eventPath, contextJson] = process.argv;
const event = readFileSync(eventPath);
const { handler } = await import(url);
const reply = await handler(event, JSON.parse(contextJson));
const cpu = process.cpuUsage();
// Linux keeps ru_maxrss across exec (it reports the spawning parent's size when that was larger); VmHWM is this
// program's own peak.
let maxRssKiB = process.resourceUsage().maxRSS;
try { maxRssKiB = Number(/VmHWM:\\s+(\\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))[1]); } catch {}
const out = { reply: Buffer.isBuffer(reply) ? reply.toString('utf8') : reply ?? null, maxRssKiB, cpuMs: (cpu.user + cpu.system) / 1000 };
process.stdout.write(${JSON.stringify(MARK)} + JSON.stringify(out) + '\\n', () => process.exit(0));
`;

/** Spawns `node` with only `script` (the baseline of bench/coldstart.ts uses this with an empty script). */
export function timeNode(args: string[], cwd: string, env: Record<string, string>, timeoutMs: number) {
  return new Promise<{ stdout: string; stderr: string; elapsedMs: number; firstMarkMs?: number }>(
    (resolve, reject) => {
      const start = process.hrtime.bigint();
      const child = spawn(process.execPath, args, {
        cwd,
        env: { PATH: process.env.PATH ?? '', ...env },
        stdio: 'pipe',
      });
      let stdout = '';
      let stderr = '';
      let firstMarkMs: number | undefined;
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString('utf8');
        if (firstMarkMs === undefined && stdout.includes(MARK))
          firstMarkMs = Number(process.hrtime.bigint() - start) / 1e6;
      });
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString('utf8');
      });
      child.on('error', reject);
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        const elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
        if (code !== 0) reject(new InvokeError(`node exited ${code ?? signal}: ${stderr.slice(-2000)}`));
        else resolve({ stdout, stderr, elapsedMs, ...(firstMarkMs === undefined ? {} : { firstMarkMs }) });
      });
    },
  );
}

export { MARK as REPLY_MARK };

export async function invokeBundle(
  dir: string,
  event: string | Buffer,
  options: InvokeOptions = {},
): Promise<InvokeResult> {
  const scratch = mkdtempSync(join(tmpdir(), 'invoke-'));
  try {
    const eventPath = join(scratch, 'event');
    writeFileSync(eventPath, event);
    const context = options.context ?? { requestId: 'cold-start-1' };
    const url = pathToFileURL(join(dir, 'index.mjs')).href;
    const run = await timeNode(
      ['--input-type=module', '-e', CHILD, url, eventPath, JSON.stringify(context)],
      dir,
      options.env ?? {},
      options.timeoutMs ?? 60_000,
    );
    const at = run.stdout.indexOf(MARK);
    if (at < 0) throw new InvokeError(`no reply from ${dir}: ${run.stderr.slice(-2000)}`);
    const parsed = JSON.parse(run.stdout.slice(at + MARK.length).split('\n')[0]!) as {
      reply: unknown;
      maxRssKiB: number;
      cpuMs: number;
    };
    return {
      reply: parsed.reply,
      elapsedMs: run.firstMarkMs ?? run.elapsedMs,
      maxRssKiB: parsed.maxRssKiB,
      cpuMs: parsed.cpuMs,
      logs: run.stdout.slice(0, at) + run.stderr,
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
