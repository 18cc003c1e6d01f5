/** Recursive listing of the object keys under a folder of the fs store (sidecars and temp files excluded). */
import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { isValidKey, RESERVED_TOP_LEVEL } from './keys.ts';

const isMissing = (err: unknown): boolean =>
  ['ENOENT', 'ENOTDIR'].includes((err as NodeJS.ErrnoException).code ?? '');

/** Appends to `out` the key of every regular file under `dir` (whose key is `rel`); a missing folder is empty. */
export async function walkKeys(dir: string, rel: string, out: string[]): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (isMissing(err)) return;
    throw err;
  }
  for (const entry of entries) {
    const key = rel === '' ? entry.name : `${rel}/${entry.name}`;
    if (rel === '' && (RESERVED_TOP_LEVEL as readonly string[]).includes(entry.name)) continue;
    if (entry.isDirectory()) await walkKeys(path.join(dir, entry.name), key, out);
    else if (entry.isFile() && isValidKey(key)) out.push(key);
  }
}
