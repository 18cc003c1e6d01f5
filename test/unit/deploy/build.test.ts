import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../scripts/build.ts';
import { BundleError, type BundleResult, bundleFunction } from '../../../scripts/deploy/bundle.ts';
import { sharpRuntimePackages } from '../../../scripts/deploy/native.ts';

const run = promisify(execFile);
const FIXTURES = 'test/unit/deploy/fixtures';

/** Loads `<dir>/index.mjs` in a fresh Node process whose cwd is `dir` and calls its handler with `event`. */
async function invokeAlone(dir: string, event: string): Promise<unknown> {
  const script = `const m = await import(${JSON.stringify(join(dir, 'index.mjs'))});
const r = await m.handler(Buffer.from(${JSON.stringify(event)}), { requestId: 'r1' });
process.stdout.write(JSON.stringify(r));`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '' },
  });
  return JSON.parse(stdout);
}

describe('bundleFunction', () => {
  let work: string;
  let result: BundleResult;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'bundle-test-'));
    result = await bundleFunction(
      { name: 'photo-fn', entry: `${FIXTURES}/photo-fn/index.ts` },
      REPO_ROOT,
      join(work, 'dist'),
    );
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('writes a minified ES module entry with a linked source map', () => {
    const files = readdirSync(result.outDir);
    expect(files).toContain('index.mjs');
    expect(files).toContain('index.mjs.map');
    expect(result.jsBytes).toBeGreaterThan(0);
  });

  it('copies sharp and exactly its linux-x64 glibc run-time packages when the code imports sharp', () => {
    expect(result.nativePackages.sort()).toEqual(
      [
        '@img/colour',
        '@img/sharp-libvips-linux-x64',
        '@img/sharp-linux-x64',
        'detect-libc',
        'semver',
        'sharp',
      ].sort(),
    );
    const nm = join(result.outDir, 'node_modules');
    expect(existsSync(join(nm, 'sharp/src'))).toBe(false);
    expect(existsSync(join(nm, 'sharp/install'))).toBe(false);
    expect(
      readdirSync(join(nm, '@img/sharp-libvips-linux-x64/lib')).some((f) => f.startsWith('libvips-cpp.so')),
    ).toBe(true);
    expect(result.nativeBytes).toBeGreaterThan(1_000_000);
  });

  it('runs copied alone into an empty folder, sharp included', async () => {
    const alone = mkdtempSync(join(tmpdir(), 'bundle-alone-'));
    try {
      cpSync(result.outDir, alone, { recursive: true });
      const reply = await invokeAlone(alone, JSON.stringify({ width: 16 }));
      expect(reply).toEqual({ statusCode: 200, body: JSON.stringify({ format: 'jpeg', width: 16 }) });
    } finally {
      rmSync(alone, { recursive: true, force: true });
    }
  });

  it('refuses a function that imports offline-only code (local/)', async () => {
    const attempt = bundleFunction(
      { name: 'leaky', entry: `${FIXTURES}/leaky-fn/index.ts` },
      REPO_ROOT,
      join(work, 'dist'),
    );
    await expect(attempt).rejects.toBeInstanceOf(BundleError);
    await expect(attempt).rejects.toMatchObject({ code: 'ForbiddenImport' });
  });

  it('refuses a function that imports the face engine packages', async () => {
    const attempt = bundleFunction(
      { name: 'tf', entry: `${FIXTURES}/engine-pkg-fn/index.ts` },
      REPO_ROOT,
      join(work, 'dist'),
    );
    await expect(attempt).rejects.toMatchObject({ code: 'ForbiddenImport' });
  });

  it('fails with BuildFailed when the entry does not exist', async () => {
    const attempt = bundleFunction(
      { name: 'nope', entry: `${FIXTURES}/missing/index.ts` },
      REPO_ROOT,
      join(work, 'dist'),
    );
    await expect(attempt).rejects.toMatchObject({ code: 'BuildFailed' });
  });
});

describe('lazy default imports', () => {
  let work: string;
  let dir: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'bundle-lazy-'));
    const r = await bundleFunction(
      { name: 'lazy-fn', entry: `${FIXTURES}/lazy-fn/index.ts` },
      REPO_ROOT,
      join(work, 'dist'),
    );
    dir = join(work, 'alone');
    cpSync(r.outDir, dir, { recursive: true });
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('does not load sharp at cold start when the invocation does not need it', async () => {
    expect(await invokeAlone(dir, 'skip')).toEqual({ before: false, after: false });
  });

  it('loads sharp on first use and behaves as the real module', async () => {
    expect(await invokeAlone(dir, 'use')).toEqual({ before: false, after: true, width: 4 });
  });
});

describe('sharpRuntimePackages', () => {
  it('resolves sharp, its dependencies and the linux-x64 pair from node_modules', () => {
    const names = sharpRuntimePackages(REPO_ROOT).map((p) => p.name);
    expect(names[0]).toBe('sharp');
    expect(names).toContain('@img/sharp-linux-x64');
    expect(names).toContain('@img/sharp-libvips-linux-x64');
    expect(names.some((n) => n.includes('musl') || n.includes('darwin') || n.includes('win32'))).toBe(false);
  });
});
