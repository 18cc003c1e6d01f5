/**
 * `npm run rerun` as a user runs it: a child process (no TTY, so plain lines) against a bucket folder, calling
 * the emulator on 127.0.0.1 through IDV_ENDPOINT and ALIBABA_CLOUD_* exactly as the functions do.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../../local/emulator/server.ts';
import type { FaceEngine } from '../../../local/engine/types.ts';
import { readResult } from '../../../shared/cases/process.ts';
import { createFsStore } from '../../../shared/store/fs.ts';
import { jpeg } from '../../helpers/oss-events.ts';
import { UPSTREAM_MATRIX } from '../../helpers/upstream-matrix.ts';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const unusedEngine: FaceEngine = {
  compare: async () => {
    throw new Error('the engine is not used in instant mode');
  },
  close: async () => {},
};

function runCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', path.join(REPO, 'local/rerun-cli/main.ts'), ...args],
      {
        cwd: REPO,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
        timeout: 60_000,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe.each(UPSTREAM_MATRIX)('npm run rerun ($api)', (upstream) => {
  const secret = randomBytes(18).toString('base64url');
  let emulator: Emulator;
  let root: string;
  const env = (key = 'cli-ak') => ({
    IDV_ENDPOINT: emulator.url,
    ALIBABA_CLOUD_ACCESS_KEY_ID: key,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: secret,
    IDV_RESOURCE_CODE: '00840000',
    ...upstream.env,
  });

  beforeAll(async () => {
    emulator = await startEmulator({
      engine: unusedEngine,
      keys: [
        { accessKeyId: 'cli-ak', accessKeySecret: secret },
        { accessKeyId: 'inactive-ak', accessKeySecret: secret, activated: false },
      ],
      faults: { instant: true },
    });
    root = await mkdtemp(path.join(tmpdir(), 'rerun-cli-'));
    const store = createFsStore({ root });
    for (const i of [1, 2, 3]) {
      await store.put(`cases/c${i}/ref.jpg`, await jpeg(i));
      await store.put(`cases/c${i}/auth.jpg`, await jpeg(i + 100));
    }
    await store.put('cases/half/ref.jpg', await jpeg(9));
  });
  afterAll(async () => {
    await emulator.close();
    await rm(root, { recursive: true, force: true });
  });

  it('lists what is due in a dry run without calling the upstream', async () => {
    const { code, stdout } = await runCli(['--prefix', 'cases/', '--dry-run', '--bucket-dir', root], env());
    expect(code).toBe(0);
    expect(stdout).toContain('c1  due (no-result)');
    expect(stdout).toMatch(/\| due +\| 3 \|/);
    expect(stdout).toMatch(/\| skipped +\| 1 \|/);
    expect(emulator.stats().requests).toBe(0);
  });

  it('verifies the due pairs, prints a line for each and a summary, and exits 0', async () => {
    const { code, stdout } = await runCli(
      ['--prefix', 'cases', '--concurrency', '2', '--bucket-dir', root],
      env(),
    );
    expect(code).toBe(0);
    expect(stdout).toContain('c2  no-result -> verified');
    expect(stdout).toMatch(/\| verified +\| 3 \|/);
    const result = await readResult(createFsStore({ root }), { prefix: 'cases', caseId: 'c3' });
    expect(result?.status).toBe('verified');
    expect(emulator.stats().byOutcome.instant).toBe(3);
  });

  it('stops at the first NotActivated and exits 2, leaving every result as it was (a forced rerun)', async () => {
    const store = createFsStore({ root });
    const before = await readResult(store, { prefix: 'cases', caseId: 'c1' });
    const requests = emulator.stats().requests;
    const { code, stdout, stderr } = await runCli(
      ['--force', '--bucket-dir', root, '--prefix', 'cases', '--concurrency', '1'],
      env('inactive-ak'),
    );
    expect(code).toBe(2);
    expect(stdout).toContain('NotActivated');
    expect(stderr).toContain('NotActivated');
    expect(emulator.stats().requests - requests).toBe(1);
    expect(await readResult(store, { prefix: 'cases', caseId: 'c1' })).toEqual(before);
  });

  it('exits 2 on bad arguments and on missing credentials', async () => {
    expect((await runCli(['--concurrency', '0'], env())).code).toBe(2);
    const noKeys = await runCli(['--bucket-dir', root], { IDV_ENDPOINT: emulator.url });
    expect(noKeys.code).toBe(2);
    expect(noKeys.stderr).toContain('ALIBABA_CLOUD_ACCESS_KEY_ID');
  });

  it('exits 2 naming the folder, without a stack trace, when the bucket folder does not exist', async () => {
    const missing = path.join(root, 'no-such-folder');
    const out = await runCli(['--bucket-dir', missing, '--dry-run'], env());
    expect(out.code).toBe(2);
    expect(out.stderr).toContain(`the bucket folder ${missing} does not exist`);
    expect(out.stderr).not.toMatch(/\n\s+at /);
    expect(out.stdout).not.toContain('cases scanned');
  });

  it('logs an unreachable bucket by its error, without stack traces', async () => {
    const out = await runCli(['--bucket', 'no-such-bucket-idv', '--region', 'ap-southeast-1', '--dry-run'], {
      ...env(),
      IDV_OSS_ENDPOINT: 'http://127.0.0.1:9',
    });
    expect(out.stderr).toContain('listing the prefix failed');
    expect(out.stderr).not.toContain('"stack"');
    expect(out.stderr).not.toMatch(/\n\s+at /);
  });
});
