/**
 * Chromium for the browser tests: Debian's `chromium` package (`.ci/run` installs it), driven by playwright-core
 * over CDP with a fresh profile folder, Chromium's fake camera and no network of its own.
 * In CI (CI=true) a missing Chromium fails the tests; elsewhere they are skipped with the reason in their name.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
];

/** Whether to run: Chromium is there, or we are in CI (where its absence must fail, not skip). */
export const browserAvailable = existsSync(CHROMIUM_PATH);
export const mustRunBrowserTests = browserAvailable || process.env.CI === 'true';
export const browserSuiteName = (name: string) =>
  mustRunBrowserTests ? name : `${name} (SKIPPED: no Chromium at ${CHROMIUM_PATH}; apt-get install chromium)`;

export interface Chromium {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Chromium> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`no Chromium at ${CHROMIUM_PATH}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  }
  const profile = mkdtempSync(join(tmpdir(), 'idv-chromium-'));
  // playwright passes the profile as --user-data-dir (it refuses the flag in args).
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1280, height: 900 },
    timeout: 60_000,
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** The folder a test writes its screenshots to, for a person to look at (printed by the test). */
export function screenshotDir(suite: string): string {
  const root =
    process.env.IDV_SCREENSHOT_DIR ??
    fileURLToPath(new URL('../../test-output/screenshots/', import.meta.url));
  const dir = join(root, suite);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}
