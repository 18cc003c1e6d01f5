/**
 * `npm run report` on a bucket folder that `npm start` filled (photo pairs dropped into the watched folder,
 * verified by the bucket door), opened in Chromium: the counts and the histogram are visible. The screenshot goes
 * to test-output/screenshots/report/ (or $IDV_SCREENSHOT_DIR/report/).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchReport } from '../../local/report/collect.ts';
import {
  browserSuiteName,
  type Chromium,
  launchChromium,
  mustRunBrowserTests,
  screenshotDir,
} from '../helpers/browser.ts';
import { type LocalStack, startLocalStack } from '../helpers/local-stack.ts';
import { differentPeople, notAFace, samePersonPair } from '../helpers/photos.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

function runReport(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(REPO, 'local/report/main.ts'), ...args],
      { cwd: REPO, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' }, timeout: 60_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

async function waitForFile(path: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (Date.now() > until) throw new Error(`no ${path} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe.runIf(mustRunBrowserTests)(
  browserSuiteName('batch report in Chromium'),
  { timeout: 240_000 },
  () => {
    let stack: LocalStack;
    let browser: Chromium;
    const outDir = mkdtempSync(join(tmpdir(), 'idv-report-out-'));

    beforeAll(async () => {
      // Chromium first: when it is missing the suite fails before any stack is started (nothing left running).
      browser = await launchChromium();
      stack = await startLocalStack({ IDV_TIMEOUT_MS: '90000', IDV_RERUN_INTERVAL: '1h' });
      const [same1, same2] = await samePersonPair();
      const [diff1, diff2] = await differentPeople();
      const pairs: Record<string, [Buffer, Buffer]> = {
        'same-person': [same1, same2],
        'two-people': [diff1, diff2],
        'no-face': [same1, await notAFace()],
      };
      for (const [caseId, [ref, auth]] of Object.entries(pairs)) {
        const dir = join(stack.bucketDir, 'cases', caseId);
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, 'ref.jpg'), ref);
        writeFileSync(join(dir, 'auth.jpg'), auth);
      }
      for (const caseId of Object.keys(pairs)) {
        await waitForFile(join(stack.bucketDir, 'cases', caseId, 'result.json'), 180_000);
      }
    }, 300_000);

    afterAll(async () => {
      await browser?.close();
      await stack?.stop();
      rmSync(outDir, { recursive: true, force: true });
    });

    it('prints the figures as JSON', async () => {
      const out = await runReport(['--prefix', 'cases/', '--bucket-dir', stack.bucketDir, '--json']);
      expect(out.code).toBe(0);
      const report = JSON.parse(out.stdout) as BatchReport;
      expect(report.cases).toBe(3);
      // status verified: the comparison ran; its verdict says whether it is the same person.
      expect(report.byStatus).toEqual({ verified: 2, rejected: 1 });
      expect(report.verdicts).toEqual({ same_person: 1, not_same_person: 1, attack_suspected: 0 });
      expect(report.scores.count).toBe(2);
      expect(report.notVerified.map((c) => c.caseId)).toEqual(['no-face']);
      expect(report.notVerified[0]?.reason).toContain('UnableGetImage');
      expect(report.mismatches.map((c) => c.caseId)).toEqual(['two-people']);
    });

    it('writes a self-contained HTML page that shows the counts and the histogram in Chromium', async () => {
      const file = join(outDir, 'report.html');
      const out = await runReport(['--prefix', 'cases/', '--bucket-dir', stack.bucketDir, '--out', file]);
      expect(out.code).toBe(0);
      expect(out.stdout).toContain('3 cases');
      expect(readFileSync(file, 'utf8')).not.toMatch(/<script|<link|src=/i);

      const page = await browser.context.newPage();
      await page.setViewportSize({ width: 1000, height: 900 });
      await page.goto(pathToFileURL(file).href);
      expect(await page.locator('#histogram').isVisible()).toBe(true);
      const box = await page.locator('#histogram').boundingBox();
      expect(box?.width).toBeGreaterThan(300);
      expect(await page.locator('#histogram rect.bin[height]').count()).toBe(10);
      expect(await page.locator('#threshold').count()).toBe(1);
      expect(await page.locator('[data-status="verified"] .n').textContent()).toBe('2');
      expect(await page.locator('[data-status="rejected"] .n').textContent()).toBe('1');
      expect(await page.locator('#verdicts').textContent()).toContain(
        '1 the same person, 1 not the same person',
      );
      expect(await page.locator('body').textContent()).toContain('Cases not verified (1)');
      const shots = screenshotDir('report');
      console.log(`report screenshot: ${shots}`);
      await page.screenshot({ path: join(shots, 'report.png'), fullPage: true });
      await page.close();
    });

    it('exits 2 naming the folder when the bucket folder does not exist', async () => {
      const out = await runReport(['--bucket-dir', join(outDir, 'missing'), '--json']);
      expect(out.code).toBe(2);
      expect(out.stderr).toContain('does not exist');
      expect(out.stderr).not.toMatch(/\n\s+at /);
    });
  },
);
