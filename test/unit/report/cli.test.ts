/** `npm run report` as a process: exit codes and messages of the command line. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const REPO = join(import.meta.dirname, '..', '..', '..');
const bucket = mkdtempSync(join(tmpdir(), 'idv-report-cli-'));
afterAll(() => rmSync(bucket, { recursive: true, force: true }));

const run = (args: string[]) =>
  new Promise<{ code: number; stderr: string }>((resolve) =>
    execFile(
      process.execPath,
      ['--import', 'tsx', 'local/report/main.ts', '--bucket-dir', bucket, ...args],
      { cwd: REPO, env: { PATH: process.env.PATH ?? '' } },
      (err, _stdout, stderr) => resolve({ code: err ? Number(err.code) : 0, stderr }),
    ),
  );

describe('npm run report', () => {
  it('names an --out it cannot write, once, as a bad argument (exit 2), not as an unreadable bucket', async () => {
    const missing = await run(['--out', join(bucket, 'no-such-folder', 'x.html')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot be written (ENOENT)');
    expect(missing.stderr).not.toMatch(/ENOENT: ENOENT/);
    const folder = await run(['--out', bucket]);
    expect(folder.code).toBe(2);
    expect(folder.stderr).toContain('is a folder');
  });
});
