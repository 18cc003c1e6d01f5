/**
 * An in-memory ObjectStore for the burst simulator, sized for 100,000 cases: objects are indexed by folder, so a
 * listing of one case folder (the claim listing) reads only that folder, and a listing of the whole prefix walks
 * the folders in order. Folders sort like their keys as long as case ids are fixed-width letters and digits
 * (the simulator's are). Every call waits `requestMs` of virtual time (an OSS round trip from FC in the same
 * region) and is counted per kind of OSS request.
 */
import { md5 } from '../../shared/store/fs-files.ts';
import type { ListEntry, ObjectStore, StoredObject } from '../../shared/store/types.ts';
import type { VirtualTime } from './virtual-time.ts';

export type OssRequestKind = 'GetObject' | 'HeadObject' | 'PutObject' | 'ListObjects' | 'DeleteObject';

export interface MemoryBucket extends ObjectStore {
  readonly requests: Record<OssRequestKind, number>;
  /** Puts an object without a request or a wait (the operator's upload before the burst). */
  seed(key: string, body: Buffer): void;
  /** Bodies of every object whose key ends with `suffix`. */
  bodiesEndingWith(suffix: string): Buffer[];
}

const split = (key: string): [string, string] => {
  const slash = key.lastIndexOf('/');
  return [key.slice(0, slash + 1), key.slice(slash + 1)];
};

export function createMemoryBucket(time: VirtualTime, requestMs: number): MemoryBucket {
  const folders = new Map<string, Map<string, StoredObject>>();
  let sortedFolders: string[] | undefined;
  const requests: Record<OssRequestKind, number> = {
    GetObject: 0,
    HeadObject: 0,
    PutObject: 0,
    ListObjects: 0,
    DeleteObject: 0,
  };
  const request = async (kind: OssRequestKind) => {
    requests[kind]++;
    if (requestMs > 0) await time.sleep(requestMs);
  };
  const find = (key: string) => {
    const [folder, name] = split(key);
    return folders.get(folder)?.get(name);
  };
  const store = (key: string, body: Buffer): StoredObject => {
    const [folder, name] = split(key);
    let files = folders.get(folder);
    if (!files) {
      files = new Map();
      folders.set(folder, files);
      sortedFolders = undefined;
    }
    const object: StoredObject = {
      key,
      body,
      etag: md5(body),
      size: body.length,
      lastModifiedEpochMs: time.nowMs(),
      contentType: undefined,
      metadata: {},
    };
    files.set(name, object);
    return object;
  };
  const entry = (o: StoredObject): ListEntry => ({
    key: o.key,
    etag: o.etag,
    size: o.size,
    lastModifiedEpochMs: o.lastModifiedEpochMs,
  });
  const firstFolderAtOrAfter = (sorted: string[], value: string) => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((sorted[mid] as string) < value) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };

  return {
    requests,
    seed(key, body) {
      store(key, body);
    },
    bodiesEndingWith(suffix) {
      const out: Buffer[] = [];
      for (const files of folders.values())
        for (const [name, o] of files) if (`/${name}`.endsWith(suffix)) out.push(o.body);
      return out;
    },
    async get(key) {
      await request('GetObject');
      return find(key);
    },
    async head(key) {
      await request('HeadObject');
      const o = find(key);
      if (!o) return undefined;
      const { body: _body, ...info } = o;
      return info;
    },
    async put(key, body) {
      await request('PutObject');
      return { etag: store(key, body).etag };
    },
    async putIfAbsent(key, body) {
      await request('PutObject');
      if (find(key)) return { created: false };
      return { created: true, etag: store(key, body).etag };
    },
    async list({ prefix, token, limit }) {
      await request('ListObjects');
      const size = Math.min(limit ?? 1000, 1000);
      const out: ListEntry[] = [];
      const [prefixFolder] = split(prefix);
      // One folder (the claim listing) or every folder under the prefix, in key order.
      sortedFolders ??= [...folders.keys()].sort();
      const start = token === undefined ? prefixFolder : split(token)[0];
      let more = false;
      for (let i = firstFolderAtOrAfter(sortedFolders, start); i < sortedFolders.length; i++) {
        const folder = sortedFolders[i] as string;
        if (!folder.startsWith(prefixFolder)) break;
        const files = folders.get(folder);
        if (!files) continue;
        const names = [...files.keys()].sort();
        for (const name of names) {
          const key = folder + name;
          if (!key.startsWith(prefix) || (token !== undefined && key <= token)) continue;
          if (out.length === size) {
            more = true;
            break;
          }
          out.push(entry(files.get(name) as StoredObject));
        }
        if (more) break;
      }
      const last = out.at(-1);
      return more && last ? { entries: out, nextToken: last.key } : { entries: out };
    },
    async delete(key) {
      await request('DeleteObject');
      const [folder, name] = split(key);
      folders.get(folder)?.delete(name);
    },
  };
}
