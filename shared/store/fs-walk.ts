/**
 * Listing of the object keys under a folder of the fs store (sidecars and temp files excluded), in key order
 * and lazily, so a page costs what it returns rather than a walk of the whole tree: folders whose keys all sort
 * at or before the continuation token, or that cannot hold the prefix, are never read.
 */
import { type Dirent, readdirSync } from 'node:fs';
import path from 'node:path';
import { isMissing } from './fs-files.ts';
import { isValidKey, RESERVED_TOP_LEVEL } from './keys.ts';

interface WalkFilter {
  /** Only keys starting with this. */
  prefix: string;
  /** Only keys sorting strictly after this. */
  after?: string;
}

/** Whether some key starting with `start` (a folder's `key/`) can pass the filter. */
function mayHoldKeys(start: string, { prefix, after }: WalkFilter): boolean {
  if (!start.startsWith(prefix) && !prefix.startsWith(start)) return false;
  // Every key under `start` sorts before `after` unless `after` itself lies inside the folder or before it.
  return after === undefined || after.startsWith(start) || start > after;
}

/**
 * Yields the key of every regular file under `dir` (whose key is `rel`) that passes the filter, in ascending
 * code-unit order (the order S3 and OSS list in). Siblings are visited sorted by `name/` for folders and `name`
 * for files, which makes the depth-first order the order of the full keys. A missing folder is empty.
 */
export function* walkKeys(dir: string, rel: string, filter: WalkFilter): Generator<string> {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    if (isMissing(err)) return;
    throw err;
  }
  const children = entries
    .filter((e) => !(rel === '' && (RESERVED_TOP_LEVEL as readonly string[]).includes(e.name)))
    .map((e) => ({ entry: e, sortKey: e.isDirectory() ? `${e.name}/` : e.name }))
    .sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0));
  for (const { entry, sortKey } of children) {
    const key = rel === '' ? sortKey : `${rel}/${sortKey}`;
    if (entry.isDirectory()) {
      if (mayHoldKeys(key, filter)) yield* walkKeys(path.join(dir, entry.name), key.slice(0, -1), filter);
    } else if (
      entry.isFile() &&
      key.startsWith(filter.prefix) &&
      (filter.after === undefined || key > filter.after) &&
      isValidKey(key)
    ) {
      yield key;
    }
  }
}
