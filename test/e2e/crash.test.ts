/**
 * kill -9 of `npm start` with pairs in flight, then a restart: every case ends with one final result.json,
 * found by the watcher when the dead claims' leases end (not by a cron tick), and the emulator counts at most
 * 20 + (attempts that were in flight) paid calls, each in-flight one recorded as uncertain in result.json.
 * The emulator runs in this test (instant mode, 1 s latency) so its paid-call count survives the kill.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../local/emulator/server.ts';
import { resultSchema } from '../../shared/cases/schemas.ts';
import { jpeg } from '../helpers/oss-events.ts';
import { UPSTREAM_MATRIX } from '../helpers/upstream-matrix.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PAIRS = 20;
const LEASE_MS = 15_000;
const KEY = { accessKeyId: 'crash-ak', accessKeySecret: randomBytes(18).toString('base64url') };

describe.each(UPSTREAM_MATRIX)('npm start ($api): kill -9 with pairs in flight, then restart', (upstream) => {
  let emulator: Emulator;
  let bucket: string;
  const children: ChildProcess[] = [];
  let output = '';

  const start = async (): Promise<ChildProcess> => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'local/dev.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        PORT: '0',
        IDV_ENDPOINT: emulator.url,
        ALIBABA_CLOUD_ACCESS_KEY_ID: KEY.accessKeyId,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: KEY.accessKeySecret,
        IDV_RESOURCE_CODE: '00840000',
        IDV_BUCKET_DIR: bucket,
        IDV_CLAIM_LEASE_MS: String(LEASE_MS),
        LOG_LEVEL: 'info',
        ...upstream.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let mine = '';
    const collect = (d: Buffer) => {
      mine += d.toString();
      output += d.toString();
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const until = Date.now() + 110_000;
    while (!/Local stack ready/.test(mine)) {
      if (child.exitCode !== null || Date.now() > until)
        throw new Error(`npm start did not come up:\n${mine}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return child;
  };

  const files = async (pattern: RegExp): Promise<string[]> =>
    (await readdir(path.join(bucket, 'cases'), { recursive: true }))
      .map(String)
      .filter((f) => pattern.test(f));

  beforeAll(async () => {
    emulator = await startEmulator({
      engine: undefined,
      keys: [KEY],
      faults: { instant: true, latencyMs: 1000 },
    });
    bucket = await mkdtemp(path.join(tmpdir(), 'e2e-crash-'));
    for (let i = 0; i < PAIRS; i++) {
      const dir = path.join(bucket, 'cases', `c-${i}`);
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, 'ref.jpg'), await jpeg(i));
      await writeFile(path.join(dir, 'auth.jpg'), await jpeg(i + 500));
    }
  });

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await emulator?.close();
    if (bucket) await rm(bucket, { recursive: true, force: true });
  });

  it('ends every case with one final result.json, paying at most 20 + the attempts in flight', async () => {
    const first = await start();
    // Wait (by condition) until attempts are in flight: sent records without their case's result.json.
    const inFlight = async () => {
      const sent = await files(/\.sent-\d+-\d+\.json$/);
      const done = new Set((await files(/result\.json$/)).map((f) => path.dirname(f)));
      return sent.filter((f) => !done.has(path.dirname(f)));
    };
    for (let i = 0; i < 600 && (await inFlight()).length < 2; i++)
      await new Promise((r) => setTimeout(r, 20));
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const lost = await inFlight();
    expect(lost.length).toBeGreaterThan(0);
    const lostCases = new Set(lost.map((f) => path.dirname(f)));

    await start();
    const until = Date.now() + 90_000;
    while ((await files(/result\.json$/)).length < PAIRS && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 200));
    }
    const results = await files(/result\.json$/);
    expect(results, output).toHaveLength(PAIRS);
    for (let i = 0; i < 200 && emulator.stats().inFlight > 0; i++)
      await new Promise((r) => setTimeout(r, 20));

    const paid = emulator.stats().paidByKey[KEY.accessKeyId] ?? 0;
    let uncertain = 0;
    let verified = 0;
    for (const f of results) {
      const r = resultSchema.parse(JSON.parse(await readFile(path.join(bucket, 'cases', f), 'utf8')));
      // Final: verified, or held when (on a starved machine) more attempts timed out than the budget allows.
      expect(['verified', 'held']).toContain(r.status);
      if (lostCases.has(path.dirname(f))) expect(r.uncertainAttempts ?? 0).toBeGreaterThanOrEqual(1);
      uncertain += r.uncertainAttempts ?? 0;
      if (r.status === 'verified') verified++;
    }
    // The emulator saw (and billed) the answer of every verified case.
    expect(paid).toBeGreaterThanOrEqual(verified);
    // Every paid call beyond one per pair is an attempt recorded as uncertain (the in-flight ones at least).
    expect(paid).toBeLessThanOrEqual(PAIRS + uncertain);
    expect(uncertain).toBeGreaterThanOrEqual(lost.length);
    // Found by the watcher when the dead claims' leases ended, not by the scheduled rerun.
    expect(output).toMatch(/looking again at a pair whose claim lease has ended/);
  }, 240_000);
});
