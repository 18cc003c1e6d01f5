/**
 * ObjectStore on a local folder (the offline bucket). Writes are atomic (temporary file + rename), putIfAbsent is
 * an exclusive create that never exposes a half-written object (temporary file + link(2), which fails with
 * EEXIST), ETags are MD5 content hashes like OSS's for simple uploads, and metadata lives in a sidecar under
 * `<root>/.idv-meta/` that list() never returns. Keys are validated so that nothing escapes the folder.
 */
import { link, readFile, rename, stat, unlink } from 'node:fs/promises';
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
import { walkKeys } from './fs-walk.ts';
import { assertValidKey, isValidKey } from './keys.ts';
import type { ListEntry, ListPage, ObjectInfo, ObjectStore, StoredObject } from './types.ts';

const MAX_PAGE = 1000;

export interface FsStoreOptions {
  /** The bucket folder; created when missing. */
  root: string;
}

export function createFsStore(options: FsStoreOptions): ObjectStore {
  const root = path.resolve(options.root);
  /** ETag cache for head/list keyed by path, valid while size, mtime and inode are unchanged. */
  const etagCache = new Map<string, { stamp: string; etag: string }>();

  const fileOf = (key: string): string => {
    assertValidKey(key);
    const file = path.join(root, ...key.split('/'));
    if (!file.startsWith(root + path.sep))
      throw new StoreError('InvalidKey', 'key escapes the bucket', { key });
    return file;
  };
  const wrap = (key: string, op: string, err: unknown): never => {
    if (err instanceof StoreError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new StoreError('Unexpected', `fs store ${op} failed (${code ?? 'error'})`, { key, cause: err });
  };

  const etagOf = async (file: string, stamp: string): Promise<string> => {
    const cached = etagCache.get(file);
    if (cached?.stamp === stamp) return cached.etag;
    const etag = md5(await readFile(file));
    etagCache.set(file, { stamp, etag });
    return etag;
  };

  const statFile = async (file: string) => {
    const s = await stat(file, { bigint: true });
    if (!s.isFile()) return undefined;
    return { size: Number(s.size), mtimeMs: Number(s.mtimeMs), stamp: `${s.size}:${s.mtimeNs}:${s.ino}` };
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
        // One round trip instead of three: the stat says whether it is a file, the sidecar whether it applies.
        const [s, body, sidecar] = await Promise.all([
          statFile(file),
          readFile(file).catch((err: unknown) => {
            if (isMissing(err)) return undefined;
            throw err;
          }),
          readSidecar(root, key),
        ]);
        if (!s || !body) return undefined;
        return { ...info(key, md5(body), body.length, s.mtimeMs, sidecar), body };
      } catch (err) {
        if (isMissing(err)) return undefined;
        return wrap(key, 'get', err);
      }
    },

    async head(key) {
      const file = fileOf(key);
      try {
        const [s, sidecar] = await Promise.all([statFile(file), readSidecar(root, key)]);
        if (!s) return undefined;
        return info(key, await etagOf(file, s.stamp), s.size, s.mtimeMs, sidecar);
      } catch (err) {
        if (isMissing(err)) return undefined;
        return wrap(key, 'head', err);
      }
    },

    async put(key, body, options = {}) {
      const file = fileOf(key);
      const etag = md5(body);
      try {
        const tmp = await writeTemp(root, body);
        // The sidecar is written beside the rename, not after it: a reader that sees one without the other
        // finds the etags differ and reports no metadata for that instant.
        await Promise.all([
          inFolder(path.dirname(file), () => rename(tmp, file)),
          needsSidecar(key, options)
            ? writeSidecar(root, key, sidecarFor(etag, options))
            : unlink(sidecarOf(root, key)).catch(() => {}), // nothing to keep; an older one must not linger
        ]);
        return { etag };
      } catch (err) {
        return wrap(key, 'put', err);
      }
    },

    async putIfAbsent(key, body, options = {}) {
      const file = fileOf(key);
      const etag = md5(body);
      try {
        const tmp = await writeTemp(root, body);
        try {
          // link(2) is atomic and fails when the target exists: readers never see a partial object.
          await inFolder(path.dirname(file), () => link(tmp, file));
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'EEXIST') return { created: false };
          throw err;
        } finally {
          await unlink(tmp).catch(() => {});
        }
        if (needsSidecar(key, options)) await writeSidecar(root, key, sidecarFor(etag, options));
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
      const keys = walkKeys(dir, baseRel, { prefix, ...(token === undefined ? {} : { after: token }) });
      const entries: ListEntry[] = [];
      try {
        for await (const key of keys) {
          // One key past a full page says there is more.
          if (entries.length === max) return { entries, nextToken: entries.at(-1)!.key };
          const file = path.join(root, ...key.split('/'));
          try {
            const s = await statFile(file);
            if (s)
              entries.push({
                key,
                etag: await etagOf(file, s.stamp),
                size: s.size,
                lastModifiedEpochMs: s.mtimeMs,
              });
          } catch (err) {
            if (!isMissing(err)) return wrap(key, 'list', err); // deleted while listing: skip it
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
        await unlink(file);
      } catch (err) {
        if (!isMissing(err)) wrap(key, 'delete', err);
      }
      await unlink(sidecarOf(root, key)).catch(() => {});
      etagCache.delete(file);
    },
  };
}
