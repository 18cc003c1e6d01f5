/**
 * A small in-memory ObjectStore for the rerun's unit tests (pages of at most 1,000 keys, ascending order,
 * token = last key of the page), with a count of the calls made to each operation.
 */
import { md5 } from '../../../shared/store/fs-files.ts';
import type { ListEntry, ObjectStore, StoredObject } from '../../../shared/store/types.ts';

export interface MemoryStore extends ObjectStore {
  calls: Record<string, number>;
  keys(): string[];
  /** Sets an object directly with a chosen last-modified time (for claim leases). */
  seed(key: string, body: Buffer | string, lastModifiedEpochMs?: number): void;
}

export function memoryStore(nowMs: () => number = () => Date.now()): MemoryStore {
  const objects = new Map<string, StoredObject>();
  const calls: Record<string, number> = {};
  const count = (op: string) => {
    calls[op] = (calls[op] ?? 0) + 1;
  };
  const make = (key: string, body: Buffer, lastModifiedEpochMs = nowMs()): StoredObject => ({
    key,
    body,
    etag: md5(body),
    size: body.length,
    lastModifiedEpochMs,
    contentType: undefined,
    metadata: {},
  });
  return {
    calls,
    keys: () => [...objects.keys()].sort(),
    seed(key, body, lastModifiedEpochMs) {
      objects.set(key, make(key, Buffer.from(body), lastModifiedEpochMs));
    },
    async get(key) {
      count('get');
      return objects.get(key);
    },
    async head(key) {
      count('head');
      const o = objects.get(key);
      if (!o) return undefined;
      const { body: _body, ...info } = o;
      return info;
    },
    async put(key, body) {
      count('put');
      const o = make(key, body);
      objects.set(key, o);
      return { etag: o.etag };
    },
    async putIfAbsent(key, body) {
      count('putIfAbsent');
      if (objects.has(key)) return { created: false };
      const o = make(key, body);
      objects.set(key, o);
      return { created: true, etag: o.etag };
    },
    async list({ prefix, token, limit }) {
      count('list');
      const size = Math.min(limit ?? 1000, 1000);
      const all = [...objects.keys()]
        .filter((k) => k.startsWith(prefix) && (token === undefined || k > token))
        .sort();
      const page = all.slice(0, size);
      const entries: ListEntry[] = page.map((k) => {
        const o = objects.get(k) as StoredObject;
        return { key: k, etag: o.etag, size: o.size, lastModifiedEpochMs: o.lastModifiedEpochMs };
      });
      const last = page.at(-1);
      return all.length > size && last !== undefined ? { entries, nextToken: last } : { entries };
    },
    async delete(key) {
      count('delete');
      objects.delete(key);
    },
  };
}
