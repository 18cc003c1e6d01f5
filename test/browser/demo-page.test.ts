/**
 * The demo page in a real Chromium (Debian's package, fake camera) against `npm start`: a frame captured from
 * the camera, a pass, a fail, an error, and the phone layout. Screenshots of each state go to
 * test-output/screenshots/demo-page/ (or $IDV_SCREENSHOT_DIR/demo-page/) for a person to look at.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  browserSuiteName,
  type Chromium,
  launchChromium,
  mustRunBrowserTests,
  screenshotDir,
} from '../helpers/browser.ts';
import { type LocalStack, startLocalStack } from '../helpers/local-stack.ts';
import { differentPeople, samePersonPair } from '../helpers/photos.ts';

describe.runIf(mustRunBrowserTests)(browserSuiteName('demo page in Chromium'), { timeout: 180_000 }, () => {
  let stack: LocalStack;
  let browser: Chromium;
  let shots: string;
  const photoDir = mkdtempSync(join(tmpdir(), 'idv-browser-photos-'));
  const photo = (name: string) => join(photoDir, name);

  beforeAll(async () => {
    const [same1, same2] = await samePersonPair();
    const [diff1, diff2] = await differentPeople();
    writeFileSync(photo('same-id.jpg'), same1);
    writeFileSync(photo('same-face.jpg'), same2);
    writeFileSync(photo('other-id.jpg'), diff1);
    writeFileSync(photo('other-face.jpg'), diff2);
    shots = screenshotDir('demo-page');
    console.log(`demo page screenshots: ${shots}`);
    // A first comparison loads the engine's models: generous upstream time on a busy 2-core machine.
    // Chromium first: when it is missing the suite fails before any stack is started (nothing left running).
    browser = await launchChromium();
    stack = await startLocalStack({ IDV_TIMEOUT_MS: '90000', IDV_REQUEST_BUDGET_MS: '120000' });
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    rmSync(photoDir, { recursive: true, force: true });
  });

  async function openPage(width = 1280, height = 900): Promise<Page> {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width, height });
    await page.goto(`${stack.url}/`);
    await page.fill('#key', stack.apiKey);
    return page;
  }

  const verdict = (page: Page) => page.locator('#verdict');

  it('captures a frame from the camera, and names the face photo with what to do when it has no face', async () => {
    const page = await openPage();
    await page.click('#slot-auth .cam');
    // Browser-side expressions are strings: the project compiles without the DOM library.
    await page.waitForFunction(
      "(() => { const v = document.querySelector('#slot-auth video'); return v !== null && v.videoWidth > 0 && v.readyState >= 2; })()",
    );
    await page.screenshot({ path: join(shots, '1-camera-preview.png') });
    await page.click('#slot-auth .shot');
    await page.waitForSelector('#slot-auth .frame img');
    expect(await page.locator('#slot-auth .note').textContent()).toContain('camera capture');
    await page.setInputFiles('#slot-ref input[type=file]', photo('same-id.jpg'));
    await page.screenshot({ path: join(shots, '2-camera-captured.png') });

    await page.click('#go');
    await expect.poll(() => verdict(page).textContent(), { timeout: 150_000 }).toBe('Could not verify');
    // Chromium's fake camera shows a test pattern, not a face: the upstream cannot read the face photo.
    expect(await page.locator('#problems').textContent()).toContain(
      'No face could be found in the face photo: take it again, facing the camera',
    );
    expect(await page.locator('#slot-auth').getAttribute('class')).toContain('problem');
    expect(await page.locator('#slot-ref').getAttribute('class')).not.toContain('problem');
    await page.screenshot({ path: join(shots, '5-error-no-face.png'), fullPage: true });
    await page.close();
  });

  it('says verified with the score on a gauge and the pass mark, disabling the button while it waits', async () => {
    const page = await openPage();
    await page.setInputFiles('#slot-ref input[type=file]', photo('same-id.jpg'));
    await page.setInputFiles('#slot-auth input[type=file]', photo('same-face.jpg'));
    let release: () => void = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    await page.route('**/verify', async (route) => {
      await held;
      await route.continue();
    });
    await page.click('#go');
    await expect.poll(() => page.locator('#go').isDisabled()).toBe(true);
    expect(await page.locator('#go').textContent()).toBe('Verifying...');
    release();
    await expect
      .poll(() => verdict(page).textContent(), { timeout: 150_000 })
      .toBe('Verified: the same person');
    expect(await page.locator('#go').isDisabled()).toBe(false);
    expect(await verdict(page).getAttribute('class')).toBe('pass');
    expect(await page.locator('.gauge').isVisible()).toBe(true);
    expect(await page.locator('#score-text').textContent()).toMatch(/^Score \d+\.\d of 100$/);
    expect(await page.locator('#threshold-text').textContent()).toBe('pass mark 50');
    expect(await page.evaluate("document.querySelector('.mark').style.left")).toContain('50%');
    // The raw JSON is folded away; the key is kept for this tab only.
    expect(await page.evaluate("document.querySelector('details').open")).toBe(false);
    expect(await page.locator('#out').isVisible()).toBe(false);
    expect(await page.evaluate("sessionStorage.getItem('idv-key')")).toBe(stack.apiKey);
    expect(await page.evaluate('localStorage.length')).toBe(0);
    await page.screenshot({ path: join(shots, '3-pass.png'), fullPage: true });
    await page.close();
  });

  it('says not the same person, with the score below the pass mark, for two different people', async () => {
    const page = await openPage();
    await page.setInputFiles('#slot-ref input[type=file]', photo('other-id.jpg'));
    await page.setInputFiles('#slot-auth input[type=file]', photo('other-face.jpg'));
    await page.click('#go');
    await expect
      .poll(() => verdict(page).textContent(), { timeout: 150_000 })
      .toBe('Not verified: not the same person');
    const score = Number((await page.locator('#score-text').textContent())?.match(/[\d.]+/)?.[0]);
    expect(score).toBeLessThan(50);
    await page.locator('summary').click();
    expect(await page.locator('#out').textContent()).toContain('"result": false');
    await page.screenshot({ path: join(shots, '4-fail.png'), fullPage: true });
    await page.close();
  });

  it('explains a refused key and missing photos without sending anything', async () => {
    const page = await openPage();
    await page.click('#go');
    expect(await page.locator('#problems').textContent()).toContain('Add the ID photo');
    await page.fill('#key', 'not-the-right-key-at-all');
    await page.setInputFiles('#slot-ref input[type=file]', photo('other-id.jpg'));
    await page.setInputFiles('#slot-auth input[type=file]', photo('other-face.jpg'));
    await page.click('#go');
    await expect
      .poll(() => page.locator('#problems').textContent())
      .toContain('The API key was not accepted');
    await page.close();
  });

  it('fits a 360 px phone screen without horizontal scrolling, before and after a verdict', async () => {
    const page = await openPage(360, 780);
    const overflow = () => page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(await overflow()).toBeLessThanOrEqual(0);
    await page.setInputFiles('#slot-ref input[type=file]', photo('other-id.jpg'));
    await page.setInputFiles('#slot-auth input[type=file]', photo('other-face.jpg'));
    await page.click('#go');
    await expect
      .poll(() => verdict(page).textContent(), { timeout: 150_000 })
      .toBe('Not verified: not the same person');
    await page.locator('summary').click();
    expect(await overflow()).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(shots, '6-phone-360.png'), fullPage: true });
    await page.close();
  });
});
