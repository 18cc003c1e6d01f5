/** `npm run smoke` against the verify-http function behind the FC-style runner, calling the emulator. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifyHttpHandler } from '../../../functions/verify-http/handler.ts';
import { type Emulator, startEmulator } from '../../../local/emulator/server.ts';
import { type RunningServer, startFcHttpRunner } from '../../../local/runner/fc-http.ts';
import { smoke } from '../../../scripts/smoke.ts';
import { silentLogger } from '../../../shared/log.ts';
import { createFakeEngine } from '../emulator/fake-engine.ts';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const API_KEY = 'smoke-test-key-0123456789';
const KEY = { accessKeyId: 'LTAIsmoke', accessKeySecret: 'smoke-secret-0001' };

describe('npm run smoke', () => {
  let emulator: Emulator;
  let runner: RunningServer;

  beforeAll(async () => {
    emulator = await startEmulator({ engine: createFakeEngine(), keys: [KEY] });
    const handler = createVerifyHttpHandler(
      {
        IDV_ENDPOINT: emulator.url,
        IDV_API_KEY: API_KEY,
        IDV_RESOURCE_CODE: '00840000',
        ALIBABA_CLOUD_ACCESS_KEY_ID: KEY.accessKeyId,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: KEY.accessKeySecret,
      },
      { logger: silentLogger },
    );
    runner = await startFcHttpRunner({ handler });
  });

  afterAll(async () => {
    await runner?.close();
    await emulator?.close();
  });

  it('passes healthz and the 401 without a key, and skips the paid call', async () => {
    const steps = await smoke(runner.url, undefined);
    expect(steps.map((s) => [s.name, s.ok])).toEqual([
      ['GET /healthz', true],
      ['POST /verify without a key is refused', true],
    ]);
    expect(emulator.stats().engineCalls).toBe(0);
  });

  it('runs one verification with the sample photos when given a key', async () => {
    const steps = await smoke(runner.url, API_KEY);
    expect(steps.every((s) => s.ok)).toBe(true);
    expect(steps[2]?.detail).toMatch(/^result (true|false), score [\d.]+/);
    expect(emulator.stats().engineCalls).toBe(1);
  });

  it('fails a wrong key, and exits 1 / 2 from the command line', async () => {
    const steps = await smoke(runner.url, 'not-the-key-at-all-0000');
    expect(steps[2]).toMatchObject({ ok: false, detail: expect.stringContaining('HTTP 401') });
    const run = (args: string[]) =>
      new Promise<{ code: number; stdout: string }>((resolve) =>
        execFile(
          process.execPath,
          ['--import', 'tsx', 'scripts/smoke-cli.ts', ...args],
          { cwd: REPO, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' } },
          (err, stdout) => resolve({ code: err ? Number(err.code) : 0, stdout }),
        ),
      );
    expect((await run([])).code).toBe(2);
    const ok = await run([runner.url]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('smoke: passed');
    const down = await run(['http://127.0.0.1:9']);
    expect(down.code).toBe(1);
    expect(down.stdout).toContain('FAIL  GET /healthz');
  });
});
