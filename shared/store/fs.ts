/**
 * ObjectStore on a local folder (the offline bucket). Writes are atomic (temporary file + rename), putIfAbsent is
 * an exclusive create that never exposes a half-written object (temporary file + link(2), which fails with
 * EEXIST), ETags are MD5 content hashes like OSS's for simple uploads, and metadata lives in a sidecar under
 * `<root>/.idv-meta/` that list() never returns. Keys are validated so that nothing escapes the folder, and
 * symbolic links are never followed (fs-links.ts): an object that is a link, or whose path goes through a
 * linked folder, is refused with StoreError `SymbolicLink` and never listed, read, written or deleted.
 *
 * The file-system calls are synchronous, behind the async ObjectStore interface: the objects are small local
 * files whose syscalls cost less than an async call's thread-pool round trip and event-loop wait (figures in
 * docs/benchmarks.md, "Bucket door"). Do not point the folder at a network mount: a slow syscall would stall
 * the event loop.
 */
import { linkSync, lstatSync, readFileSync, renameSync, statSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { StoreError } from './errors.ts';
import {
  describes,
  impliedContentType,
  inFolder,
  isMissing,
  md5,
  needsSidecar,
  readSidecar,
  type Sidecar,
  sidecarFor,
  sidecarOf,
  writeSidecar,
  writeTemp,
} from './fs-files.ts';
import { linkedFolderGuard, symbolicLinkError } from './fs-links.ts';
import { walkKeys } from './fs-walk.ts';
import { assertValidKey, isValidKey } from './keys.ts';
import type { ListEntry, ListPage, ObjectInfo, ObjectStore, StoredObject } from './types.ts';

const MAX_PAGE = 1000;

interface FsStoreOptions {
  /** The bucket folder; created when missing. */
  root: string;
}

export function createFsStore(options: FsStoreOptions): ObjectStore {
  const root = path.resolve(options.root);
  /** ETag cache for head/list keyed by path, valid while size, mtime and inode are unchanged. */
  const etagCache = new Map<string, { stamp: string; etag: string }>();
  const assertNoLinkedFolder = linkedFolderGuard(root);

  const fileOf = (key: string): string => {
    assertValidKey(key);
    const file = path.join(root, ...key.split('/'));
    if (!file.startsWith(root + path.sep))
      throw new StoreError('InvalidKey', 'key escapes the bucket', { key });
    // Every folder between the root and the file must be a real folder in its place (no link on the way).
    assertNoLinkedFolder(path.dirname(file), key);
    return file;
  };
  const wrap = (key: string, op: string, err: unknown): never => {
    if (err instanceof StoreError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new StoreError('Unexpected', `fs store ${op} failed (${code ?? 'error'})`, { key, cause: err });
  };

  const etagOf = (file: string, stamp: string): string => {
    const cached = etagCache.get(file);
    if (cached?.stamp === stamp) return cached.etag;
    const etag = md5(readFileSync(file));
    etagCache.set(file, { stamp, etag });
    return etag;
  };

  /**
   * Size, time and an identity stamp of a regular file; undefined when there is none (no ENOENT thrown).
   * lstat, not stat: a symbolic link is refused, never followed.
   */
  const statFile = (file: string, key: string) => {
    const s = lstatSync(file, { bigint: true, throwIfNoEntry: false });
    if (s?.isSymbolicLink()) throw symbolicLinkError(key);
    if (!s?.isFile()) return undefined;
    return { size: Number(s.size), mtimeMs: Number(s.mtimeMs), stamp: `${s.size}:${s.mtimeNs}:${s.ino}` };
  };
  const unlinkIfPresent = (file: string): void => {
    try {
      unlinkSync(file);
    } catch (err) {
      if (!isMissing(err)) throw err;
    }
  };

  const info = (
    key: string,
    etag: string,
    size: number,
    mtimeMs: number,
    sidecarOfAnyVersion: Sidecar | undefined,
  ): ObjectInfo => {
    const sidecar = describes(sidecarOfAnyVersion, etag);
    return {
      key,
      etag,
      size,
      lastModifiedEpochMs: mtimeMs,
      contentType: sidecar?.contentType ?? impliedContentType(key),
      metadata: sidecar?.metadata ?? {},
    };
  };

  return {
    async get(key): Promise<StoredObject | undefined> {
      const file = fileOf(key);
      try {
        const s = statFile(file, key);
        if (!s) return undefined;
        const body = readFileSync(file); // removed since the stat: ENOENT, caught below
        return { ...info(key, md5(body), body.length, s.mtimeMs, readSidecar(root, key)), body };
      } catch (err) {
        if (isMissing(err)) return undefined;
        return wrap(key, 'get', err);
      }
    },

    async head(key) {
      const file = fileOf(key);
      try {
        const s = statFile(file, key);
        if (!s) return undefined;
        return info(key, etagOf(file, s.stamp), s.size, s.mtimeMs, readSidecar(root, key));
      } catch (err) {
        if (isMissing(err)) return undefined;
        return wrap(key, 'head', err);
      }
    },

    async put(key, body, options = {}) {
      const file = fileOf(key);
      const etag = md5(body);
      try {
        // rename(2) would replace a link by a file; an operator's link is refused instead, like on read.
        if (lstatSync(file, { throwIfNoEntry: false })?.isSymbolicLink()) throw symbolicLinkError(key);
        const tmp = writeTemp(root, body);
        inFolder(path.dirname(file), () => renameSync(tmp, file));
        // A reader between the two steps finds the sidecar's etag differs and reports no metadata.
        const sidecar = sidecarOf(root, key);
        if (needsSidecar(key, options)) writeSidecar(root, key, sidecarFor(etag, options));
        // An older one must not linger; asking stat first spares a thrown ENOENT in the usual case.
        else if (statSync(sidecar, { throwIfNoEntry: false })) unlinkIfPresent(sidecar);
        return { etag };
      } catch (err) {
        return wrap(key, 'put', err);
      }
    },

    async putIfAbsent(key, body, options = {}) {
      const file = fileOf(key);
      const etag = md5(body);
      try {
        const tmp = writeTemp(root, body);
        try {
          // link(2) is atomic and fails when the target exists: readers never see a partial object.
          inFolder(path.dirname(file), () => linkSync(tmp, file));
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'EEXIST') return { created: false };
          throw err;
        } finally {
          unlinkIfPresent(tmp);
        }
        if (needsSidecar(key, options)) writeSidecar(root, key, sidecarFor(etag, options));
        return { created: true, etag };
      } catch (err) {
        return wrap(key, 'putIfAbsent', err);
      }
    },

    async list({ prefix, token, limit }): Promise<ListPage> {
      const max = Math.min(Math.max(limit ?? MAX_PAGE, 1), MAX_PAGE);
      const slash = prefix.lastIndexOf('/');
      const baseRel = slash < 0 ? '' : prefix.slice(0, slash);
      if (baseRel !== '' && !isValidKey(baseRel)) return { entries: [] };
      const dir = baseRel === '' ? root : path.join(root, ...baseRel.split('/'));
      // A listing through a linked folder would list what lies outside: it lists nothing there.
      try {
        assertNoLinkedFolder(dir, prefix);
      } catch (err) {
        if (err instanceof StoreError && err.code === 'SymbolicLink') return { entries: [] };
        throw err;
      }
      const keys = walkKeys(dir, baseRel, { prefix, ...(token === undefined ? {} : { after: token }) });
      const entries: ListEntry[] = [];
      try {
        for (const key of keys) {
          // One key past a full page says there is more.
          if (entries.length === max) return { entries, nextToken: entries.at(-1)!.key };
          const file = path.join(root, ...key.split('/'));
          try {
            const s = statFile(file, key);
            if (s)
              entries.push({
                key,
                etag: etagOf(file, s.stamp),
                size: s.size,
                lastModifiedEpochMs: s.mtimeMs,
              });
          } catch (err) {
            // Deleted, or replaced by a link, while listing: skip it.
            if (err instanceof StoreError && err.code === 'SymbolicLink') continue;
            if (!isMissing(err)) return wrap(key, 'list', err);
          }
        }
      } catch (err) {
        return wrap(prefix, 'list', err);
      }
      return { entries };
    },

    async delete(key) {
      const file = fileOf(key);
      try {
        unlinkIfPresent(file);
      } catch (err) {
        wrap(key, 'delete', err);
      }
      try {
        unlinkIfPresent(sidecarOf(root, key));
      } catch {
        // a sidecar left behind describes an etag no new version will have
      }
      etagCache.delete(file);
    },
  };
}
