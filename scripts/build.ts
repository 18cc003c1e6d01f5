/**
 * `npm run build`: bundles every function that exists into dist/<function>/ (see scripts/deploy/bundle.ts)
 * and prints one line per function with its JavaScript and native sizes.
 */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BundleResult, bundleFunction } from './deploy/bundle.ts';
import { existingFunctions, FUNCTIONS, type FunctionSpec } from './deploy/functions.ts';

export interface BuildOptions {
  /** Repo root (default: the folder above scripts/). */
  root?: string;
  /** Output folder (default: <root>/dist). */
  distDir?: string;
  /** Only these function names. */
  only?: string[];
}

export const REPO_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** Builds the functions whose entry exists; returns one result each (missing ones are listed apart). */
export async function buildAll(
  options: BuildOptions = {},
): Promise<{ built: BundleResult[]; missing: FunctionSpec[] }> {
  const root = options.root ?? REPO_ROOT;
  const distDir = options.distDir ?? join(root, 'dist');
  const wanted = FUNCTIONS.filter((f) => !options.only || options.only.includes(f.name));
  const present = existingFunctions(root, wanted);
  const built: BundleResult[] = [];
  for (const spec of present) built.push(await bundleFunction(spec, root, distDir));
  return { built, missing: wanted.filter((f) => !present.includes(f)) };
}

const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const { built, missing } = await buildAll(only.length > 0 ? { only } : {});
  for (const r of built) {
    const native =
      r.nativePackages.length > 0 ? `, native ${kib(r.nativeBytes)} (${r.nativePackages.join(', ')})` : '';
    console.log(`${r.name}: js ${kib(r.jsBytes)}${native} -> ${r.outDir}`);
  }
  for (const m of missing) console.log(`${m.name}: skipped, ${m.entry} does not exist yet`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? `${err.name}: ${err.message}` : err);
    process.exit(1);
  });
}
