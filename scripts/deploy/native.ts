/**
 * Ships sharp beside a bundle. sharp cannot be bundled (it loads a native addon and libvips by path), so the
 * bundle marks it external and this module copies what sharp requires at run time into
 * dist/<fn>/node_modules, for FC's platform: Linux x64 glibc (FC nodejs20 is Debian 10, glibc 2.28, which
 * is exactly the floor @img/sharp-linux-x64 0.35 declares in its package.json `config.glibc`).
 *
 * What is copied is resolved, not listed: sharp's `dependencies` (detect-libc, semver, @img/colour and
 * theirs), then the platform pair it loads at run time: `@img/sharp-linux-x64` (sharp.node) and its
 * optional dependency `@img/sharp-libvips-linux-x64` (libvips-cpp.so). Build-only files (C++ sources,
 * install scripts, type declarations, headers, READMEs) are left out.
 */
import { cpSync, existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

export const FC_PLATFORM = { os: 'linux', cpu: 'x64', libc: 'glibc' } as const;
const PLATFORM_TAG = `${FC_PLATFORM.os}-${FC_PLATFORM.cpu}`;

export class NativeCopyError extends Error {
  override readonly name = 'NativeCopyError';
  readonly code = 'NativePackageMissing';
}

interface PackageJson {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/** Finds `node_modules/<name>` the way Node does: from `fromDir` up to the filesystem root. */
export function findPackageDir(name: string, fromDir: string): string {
  let dir = fromDir;
  for (;;) {
    const candidate = join(dir, 'node_modules', ...name.split('/'));
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new NativeCopyError(`package ${name} not found from ${fromDir}`);
    dir = parent;
  }
}

function readPackage(dir: string): PackageJson {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
}

/** The packages sharp needs at run time on FC, as `[name, dir]`, dependencies first found first. */
export function sharpRuntimePackages(root: string): Array<{ name: string; dir: string }> {
  const sharpDir = findPackageDir('sharp', root);
  const sharpPkg = readPackage(sharpDir);
  const platformPkgs = Object.keys(sharpPkg.optionalDependencies ?? {}).filter(
    (n) => n === `@img/sharp-${PLATFORM_TAG}` || n === `@img/sharp-libvips-${PLATFORM_TAG}`,
  );
  if (platformPkgs.length !== 2) {
    throw new NativeCopyError(`sharp ${sharpPkg.version} declares no ${PLATFORM_TAG} prebuilt packages`);
  }
  const out = new Map<string, string>();
  const visit = (name: string, fromDir: string): void => {
    if (out.has(name)) return;
    const dir = findPackageDir(name, fromDir);
    out.set(name, dir);
    for (const dep of Object.keys(readPackage(dir).dependencies ?? {})) visit(dep, dir);
  };
  visit('sharp', root);
  // The platform packages are optional deps: npm installs only the host's. FC is linux-x64 glibc; a build
  // on another host must first `npm install --os=linux --cpu=x64 --libc=glibc sharp` (see docs/deploy.md).
  for (const name of platformPkgs) visit(name, sharpDir);
  return [...out].map(([name, dir]) => ({ name, dir }));
}

/** Files that sharp never reads at run time. */
const SKIP = [
  /(^|\/)src(\/|$)/,
  /(^|\/)install(\/|$)/,
  /\.d\.[cm]?ts$/,
  /(^|\/)README(\.md)?$/i,
  /(^|\/)CHANGELOG(\.md)?$/i,
  /(^|\/)glib-2\.0\/include(\/|$)/,
  /(^|\/)include(\/|$)/,
  /\.(h|hpp|cc|gyp|bnf)$/,
];

function keep(packageDir: string, path: string): boolean {
  const rel = relative(packageDir, path).split(sep).join('/');
  return rel === '' || !SKIP.some((re) => re.test(rel));
}

export interface NativeCopyResult {
  packages: string[];
  bytes: number;
}

/** Copies sharp's run-time closure into `<outDir>/node_modules`. Returns what was copied and its size. */
export function copySharp(root: string, outDir: string): NativeCopyResult {
  const packages = sharpRuntimePackages(root);
  let bytes = 0;
  for (const { name, dir } of packages) {
    const dest = join(outDir, 'node_modules', ...name.split('/'));
    cpSync(dir, dest, {
      recursive: true,
      dereference: true,
      filter: (src) => {
        if (!keep(dir, src)) return false;
        const st = statSync(src);
        if (st.isFile()) bytes += st.size;
        return true;
      },
    });
  }
  return { packages: packages.map((p) => p.name), bytes };
}
