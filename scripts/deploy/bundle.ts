/**
 * esbuild for one function: dist/<name>/index.mjs (ES module, minified, linked source map), code split so
 * that modules a function loads with `await import()` become chunks parsed only when first needed (the
 * lazy-loading that keeps cold starts short). sharp stays external and is copied beside the bundle.
 */
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import { build, type Metafile, type Plugin } from 'esbuild';
import { ENTRY_FILE, FORBIDDEN_IN_BUNDLE, type FunctionSpec } from './functions.ts';
import { copySharp } from './native.ts';

/** Packages that are never bundled: native ones, shipped in the function's node_modules instead. */
export const NATIVE_EXTERNALS = ['sharp'] as const;

/**
 * CommonJS packages whose default export is loaded on first use instead of at cold start. Both are costly to
 * initialise (sharp dlopens an 18 MB libvips; pop-core pulls httpx, xml2js and friends) and many invocations
 * never need them (health checks, refused callers, bad input, an OSS event whose pair is incomplete).
 */
export const LAZY_DEFAULT_IMPORTS = ['sharp', '@alicloud/pop-core'] as const;

export class BundleError extends Error {
  override readonly name = 'BundleError';
  readonly code: 'ForbiddenImport' | 'BuildFailed';
  constructor(code: 'ForbiddenImport' | 'BuildFailed', message: string) {
    super(message);
    this.code = code;
  }
}

export interface BundleResult {
  name: string;
  outDir: string;
  /** Bytes of JavaScript (entry and chunks, source maps excluded). */
  jsBytes: number;
  /** Bytes of the native packages copied into node_modules (0 when none). */
  nativeBytes: number;
  /** Native packages copied, e.g. ['sharp', 'detect-libc', ...]. */
  nativePackages: string[];
  /** Repo-relative source inputs of the bundle (for the "engine never bundled" check). */
  inputs: string[];
  /** Names the entry module exports (FC calls the one named after the dot in s.yaml's handler). */
  exports: string[];
  /** Bytes of minified output per npm package (or repo folder), largest first: what to trim. */
  contributors: Array<{ source: string; bytes: number }>;
}

/** Fails the build as soon as offline-only code is resolved into a function (clearer than a size alarm). */
export function forbidLocalCode(root: string): Plugin {
  return {
    name: 'forbid-local-code',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind === 'entry-point' || !args.importer) return undefined;
        const importer = relative(root, args.importer).split(sep).join('/');
        const target = args.path;
        // Where the import points, repo-relative: a relative path from the importer, else a package name.
        const candidate = target.startsWith('.')
          ? posix.normalize(posix.join(posix.dirname(importer), target))
          : `node_modules/${target}`;
        const hit = FORBIDDEN_IN_BUNDLE.find((re) => re.test(candidate));
        return hit
          ? { errors: [{ text: `${importer} imports ${target}: offline-only code in a bundle` }] }
          : undefined;
      });
    },
  };
}

/**
 * Replaces `import x from '<pkg>'` by a stand-in that `require()`s the package on first call, construction or
 * property access. Only the default import is offered: a named import of these packages fails the build
 * (esbuild: no matching export) rather than silently changing behaviour. A package that fails to load then
 * fails the first invocation that needs it, not the instance start.
 */
export function lazyDefaultImports(root: string, packages: readonly string[] = LAZY_DEFAULT_IMPORTS): Plugin {
  const escaped = packages.map((p) => p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
  const filter = new RegExp(`^(${escaped.join('|')})$`);
  return {
    name: 'lazy-default-imports',
    setup(b) {
      b.onResolve({ filter }, (args) =>
        args.kind === 'import-statement' && args.namespace !== 'lazy-default'
          ? { path: args.path, namespace: 'lazy-default' }
          : undefined,
      );
      b.onLoad({ filter: /.*/, namespace: 'lazy-default' }, (args) => ({
        resolveDir: root,
        loader: 'js',
        contents: `let real;
const load = () => (real ??= require(${JSON.stringify(args.path)}));
function lazy(...a) { return load()(...a); }
export default new Proxy(lazy, {
  apply: (_t, self, a) => Reflect.apply(load(), self, a),
  construct: (_t, a) => Reflect.construct(load(), a),
  get: (_t, k) => Reflect.get(load(), k),
  has: (_t, k) => Reflect.has(load(), k),
});`,
      }));
    },
  };
}

/** Every import of a native external, from the metafile: the bundle needs the package at run time. */
export function nativeImports(meta: Metafile): string[] {
  const found = new Set<string>();
  for (const output of Object.values(meta.outputs)) {
    for (const imp of output.imports) {
      const pkg = NATIVE_EXTERNALS.find((n) => imp.path === n || imp.path.startsWith(`${n}/`));
      if (imp.external && pkg) found.add(pkg);
    }
  }
  return [...found];
}

/** Output bytes grouped by npm package name (`zod`, `@alicloud/pop-core`) or first two path segments. */
export function contributorsOf(meta: Metafile): Array<{ source: string; bytes: number }> {
  const bytes = new Map<string, number>();
  for (const output of Object.values(meta.outputs)) {
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
      const source = pkg ? pkg[1]! : path.split('/').slice(0, 2).join('/');
      bytes.set(source, (bytes.get(source) ?? 0) + bytesInOutput);
    }
  }
  return [...bytes].map(([source, n]) => ({ source, bytes: n })).sort((a, b) => b.bytes - a.bytes);
}

function jsBytesIn(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules') total += jsBytesIn(p);
    else if (entry.isFile() && /\.m?js$/.test(entry.name)) total += statSync(p).size;
  }
  return total;
}

export async function bundleFunction(
  spec: FunctionSpec,
  root: string,
  distDir: string,
): Promise<BundleResult> {
  const outDir = join(distDir, spec.name);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  let meta: Metafile;
  try {
    const result = await build({
      absWorkingDir: root,
      entryPoints: [{ in: spec.entry, out: ENTRY_FILE.replace(/\.mjs$/, '') }],
      outdir: outDir,
      outExtension: { '.js': '.mjs' },
      bundle: true,
      splitting: true,
      chunkNames: 'chunks/[name]-[hash]',
      format: 'esm',
      platform: 'node',
      target: 'node20',
      // Prefer packages' ES module builds (the AWS SDK's dist-es): they tree-shake, unlike CommonJS wrapped in
      // closures. Measured on verify-oss: 136 KiB less JavaScript and about 15% less start-up CPU.
      mainFields: ['module', 'main'],
      // Node reads ES modules as UTF-8: keep non-ASCII text as is instead of \uXXXX escapes (zod's message
      // locales alone shrink by about 70 KB).
      charset: 'utf8',
      minify: true,
      sourcemap: 'linked',
      legalComments: 'linked',
      metafile: true,
      logLevel: 'silent',
      external: [...NATIVE_EXTERNALS],
      // Bundled CommonJS (pop-core, the AWS SDK) calls require() for Node built-ins; an ES module has none.
      banner: {
        js: "import{createRequire as __cjsRequire}from'node:module';const require=__cjsRequire(import.meta.url);",
      },
      plugins: [forbidLocalCode(root), lazyDefaultImports(root)],
    });
    meta = result.metafile;
  } catch (err) {
    const code = String(err).includes('offline-only code') ? 'ForbiddenImport' : 'BuildFailed';
    throw new BundleError(code, `${spec.name}: ${(err as Error).message}`);
  }
  const inputs = Object.keys(meta.inputs);
  const leaked = inputs.filter((p) => FORBIDDEN_IN_BUNDLE.some((re) => re.test(p)));
  if (leaked.length > 0)
    throw new BundleError('ForbiddenImport', `${spec.name} bundles ${leaked.join(', ')}`);
  const natives = nativeImports(meta);
  const copied = natives.includes('sharp') ? copySharp(root, outDir) : { packages: [], bytes: 0 };
  return {
    name: spec.name,
    outDir,
    jsBytes: jsBytesIn(outDir),
    nativeBytes: copied.bytes,
    nativePackages: copied.packages,
    inputs,
    contributors: contributorsOf(meta),
    exports: Object.entries(meta.outputs).find(([, o]) => o.entryPoint === spec.entry)?.[1].exports ?? [],
  };
}
