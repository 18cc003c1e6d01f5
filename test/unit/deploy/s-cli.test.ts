import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../scripts/build.ts';

const run = promisify(execFile);

describe('the s CLI (devDependency @serverless-devs/s)', () => {
  it('runs from the repo without a global install and reports its version', async () => {
    // A throw-away HOME: s writes ~/.s (logs, config) on every run.
    const home = mkdtempSync(join(tmpdir(), 's-home-'));
    try {
      const { stdout } = await run(join(REPO_ROOT, 'node_modules/.bin/s'), ['--version'], {
        cwd: REPO_ROOT,
        env: { PATH: process.env.PATH ?? '', HOME: home },
        timeout: 30_000,
      });
      expect(stdout).toMatch(/@serverless-devs\/s: 3\.\d+\.\d+/);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
