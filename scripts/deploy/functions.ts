/**
 * The functions this repo deploys: one esbuild entry each, one dist/<name>/ folder each, matching the
 * `code:` and `handler:` of s.yaml (checked by test/unit/deploy/s-yaml.test.ts).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface FunctionSpec {
  /** FC function key and dist folder name. */
  name: string;
  /** Entry module, relative to the repo root. */
  entry: string;
}

export const FUNCTIONS: readonly FunctionSpec[] = [
  { name: 'verify-http', entry: 'functions/verify-http/index.ts' },
  { name: 'verify-oss', entry: 'functions/verify-oss/index.ts' },
  { name: 'rerun-batch', entry: 'functions/rerun-batch/index.ts' },
];

/** File name of the bundle entry: FC (nodejs18 and later) loads `index.mjs` as an ES module for `index.handler`. */
export const ENTRY_FILE = 'index.mjs';
export const HANDLER = 'index.handler';

/**
 * Repo-relative source paths that must never end up inside a function bundle: offline-only code and its heavy
 * dependencies (at any node_modules depth).
 */
export const FORBIDDEN_IN_BUNDLE: readonly RegExp[] = [
  /^local\//,
  /(^|\/)node_modules\/@vladmandic\//,
  /(^|\/)node_modules\/@tensorflow\//,
  /(^|\/)node_modules\/s3rver\//,
];

/** The functions whose entry exists in `root` (a function another engineer has not written yet is skipped). */
export function existingFunctions(root: string, specs: readonly FunctionSpec[] = FUNCTIONS): FunctionSpec[] {
  return specs.filter((s) => existsSync(join(root, s.entry)));
}
