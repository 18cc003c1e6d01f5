/**
 * `npm start` as a child process (node --import tsx local/dev.ts, what the script runs): parse the printed URL
 * and API key, send real requests, stop it with a signal and expect a clean exit.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { UPSTREAM_MATRIX } from '../helpers/upstream-matrix.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const children: ChildProcess[] = [];
const dirs: string[] = [];

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function start(env: Record<string, string>): Started {
  // The bucket door (another piece of npm start) watches a folder: keep it out of the repository.
  const bucketDir = mkdtempSync(join(tmpdir(), 'idv-e2e-bucket-'));
  dirs.push(bucketDir);
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/dev.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      PORT: '0',
      IDV_EMULATOR_PORT: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function waitFor(started: Started, pattern: RegExp, timeoutMs = 240_000): Promise<RegExpMatchArray> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const m = started.output().match(pattern);
    if (m) return m;
    if (started.child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no ${pattern} in the output:\n${started.output()}`);
}

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

// Bounds, not expectations: on a loaded 2-core machine loading the face engine alone can take a minute.
describe.each(UPSTREAM_MATRIX)('npm start ($api)', { timeout: 300_000 }, (upstream) => {
  it('serves the HTTP function over the emulator and stops cleanly on SIGINT', async () => {
    const started = start({ IDV_API_KEY: 'e2e-api-key-0123456789', ...upstream.env });
    const [, url] = await waitFor(started, /HTTP function:\s+(http:\/\/[\d.]+:\d+)/);
    const [, key] = await waitFor(started, /API key:\s+(\S+)/);
    expect(key).toBe('e2e-api-key-0123456789');
    expect(started.output()).toMatch(
      new RegExp(`Emulator:\\s+http://127\\.0\\.0\\.1:\\d+ \\(${upstream.api};`),
    );
    const [, curlRef, curlAuth] = await waitFor(started, /-F ref=@(\S+) -F auth=@(\S+)/);

    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const page = await fetch(`${url}/`);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('<form');
    const form = new FormData();
    form.append(
      'ref',
      new Blob([new Uint8Array(await readFile(curlRef!))], { type: 'image/jpeg' }),
      'ref.jpg',
    );
    form.append(
      'auth',
      new Blob([new Uint8Array(await readFile(curlAuth!))], { type: 'image/jpeg' }),
      'auth.jpg',
    );
    const res = await fetch(`${url}/verify`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}` },
      body: form,
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { result: boolean; retCode: string; requestId: string };
    expect(body).toMatchObject({ result: false, retCode: upstream.okRetCode, faceAttack: upstream.noAttack });
    expect(res.headers.get('x-request-id')).toBe(body.requestId);

    started.child.kill('SIGINT');
    expect(await started.exited).toBe(0);
    expect(started.output()).toContain('Stopped.');
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });
});

describe('npm start', { timeout: 300_000 }, () => {
  it('calls IDV_ENDPOINT with real credentials, starts no emulator, and stops cleanly on SIGTERM', async () => {
    const started = start({
      IDV_ENDPOINT: 'http://127.0.0.1:9/',
      ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAIe2e',
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'e2e-secret-not-real',
      IDV_RESOURCE_CODE: '00840000',
    });
    const [, url] = await waitFor(started, /HTTP function:\s+(http:\/\/[\d.]+:\d+)/);
    const [, key] = await waitFor(started, /API key:\s+(\S+) \(generated/);
    expect(started.output()).not.toMatch(/Emulator:/);
    expect(started.output()).toContain('ID Verification:  http://127.0.0.1:9/');
    expect(started.output()).not.toContain('e2e-secret-not-real');

    const unauthorised = await fetch(`${url}/verify`, { method: 'POST' });
    expect(unauthorised.status).toBe(401);
    const healthz = await fetch(`${url}/healthz`, { headers: { authorization: `Bearer ${key}` } });
    expect(healthz.status).toBe(200);

    started.child.kill('SIGTERM');
    expect(await started.exited).toBe(0);
  });

  it('fails fast naming the problem when IDV_ENDPOINT has no credentials', async () => {
    const started = start({ IDV_ENDPOINT: 'http://127.0.0.1:9/' });
    expect(await started.exited).toBe(1);
    expect(started.output()).toContain('ALIBABA_CLOUD_ACCESS_KEY_ID');
  });
});
