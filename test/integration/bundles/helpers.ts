/**
 * Builds one function into a temporary dist and copies its folder alone into an empty temporary folder, as
 * FC unpacks it: the test then proves the bundle needs nothing from the repo.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAll } from '../../../scripts/build.ts';
import type { BundleResult } from '../../../scripts/deploy/bundle.ts';

export interface LoneBundle {
  /** The build result (in a temporary dist). */
  built: BundleResult;
  /** An empty temporary folder holding only the copied bundle. */
  dir: string;
  cleanup(): void;
}

export async function buildAlone(name: string): Promise<LoneBundle> {
  const work = mkdtempSync(join(tmpdir(), `bundle-${name}-`));
  const { built } = await buildAll({ distDir: join(work, 'dist'), only: [name] });
  const result = built[0];
  if (!result) throw new Error(`${name} was not built`);
  const dir = join(work, 'alone');
  cpSync(result.outDir, dir, { recursive: true });
  rmSync(result.outDir, { recursive: true, force: true });
  return { built: result, dir, cleanup: () => rmSync(work, { recursive: true, force: true }) };
}
