/**
 * `npm run rerun` and run-level failures: a wrong secret stops the run after one call with exit 2 and spends no
 * case attempt; without IDV_RESOURCE_CODE it exits 2 naming the variable and finalises nothing; a run where every
 * call failed (an unreachable endpoint) exits 1.
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

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const unusedEngine: FaceEngine = {
  compare: async () => {
    throw new Error('the engine is not used in instant mode');
  },
  close: async () => {},
};

function runCli(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', path.join(REPO, 'local/rerun-cli/main.ts'), ...args],
      {
        cwd: REPO,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
        timeout: 90_000,
      },
      (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

describe('npm run rerun: run-level failures', () => {
  const secret = randomBytes(18).toString('base64url');
  let emulator: Emulator;
  let root: string;

  beforeAll(async () => {
    emulator = await startEmulator({
      engine: unusedEngine,
      keys: [{ accessKeyId: 'cli-ak', accessKeySecret: secret }],
      faults: { instant: true },
    });
    root = await mkdtemp(path.join(tmpdir(), 'rerun-run-level-'));
    const store = createFsStore({ root });
    for (const i of [1, 2, 3]) {
      await store.put(`cases/c${i}/ref.jpg`, await jpeg(i));
      await store.put(`cases/c${i}/auth.jpg`, await jpeg(i + 100));
    }
  }, 30_000);
  afterAll(async () => {
    await emulator.close();
    await rm(root, { recursive: true, force: true });
  });

  const results = async () => {
    const store = createFsStore({ root });
    return Promise.all([1, 2, 3].map((i) => readResult(store, { prefix: 'cases', caseId: `c${i}` })));
  };

  it('exits 2 after one failed call with a wrong secret and writes no result', async () => {
    const requests = emulator.stats().requests;
    const { code, stdout, stderr } = await runCli(['--bucket-dir', root, '--concurrency', '1'], {
      IDV_ENDPOINT: emulator.url,
      ALIBABA_CLOUD_ACCESS_KEY_ID: 'cli-ak',
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'wrong-secret-0123456789',
      IDV_RESOURCE_CODE: '00840000',
    });
    expect(code).toBe(2);
    expect(stdout + stderr).toContain('AuthFailed');
    expect(emulator.stats().requests - requests).toBe(1);
    expect(await results()).toEqual([undefined, undefined, undefined]);
  }, 120_000);

  it('exits 2 naming IDV_RESOURCE_CODE when it is missing, and finalises no case', async () => {
    const requests = emulator.stats().requests;
    const { code, stderr } = await runCli(['--bucket-dir', root], {
      IDV_ENDPOINT: emulator.url,
      ALIBABA_CLOUD_ACCESS_KEY_ID: 'cli-ak',
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: secret,
    });
    expect(code).toBe(2);
    expect(stderr).toContain('IDV_RESOURCE_CODE');
    expect(emulator.stats().requests).toBe(requests);
    expect(await results()).toEqual([undefined, undefined, undefined]);
  }, 120_000);

  it('verifies every case at once once the settings are fixed (no claim left waiting for its lease)', async () => {
    const { code } = await runCli(['--bucket-dir', root], {
      IDV_ENDPOINT: emulator.url,
      ALIBABA_CLOUD_ACCESS_KEY_ID: 'cli-ak',
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: secret,
      IDV_RESOURCE_CODE: '00840000',
    });
    expect(code).toBe(0);
    expect((await results()).map((r) => [r?.status, r?.attempts])).toEqual([
      ['verified', 1],
      ['verified', 1],
      ['verified', 1],
    ]);
  }, 120_000);
});
