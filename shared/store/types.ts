/**
 * The object store port: the smallest interface the bucket door needs. Adapters: s3.ts (OSS through its
 * S3-compatible API) and fs.ts (a local folder). Keys are '/'-separated and never start with '/'.
 */

/** What head() and get() know about an object. ETags are normalised by normaliseEtag (no quotes, upper case). */
export interface ObjectInfo {
  key: string;
  etag: string;
  size: number;
  lastModifiedEpochMs: number;
  contentType: string | undefined;
  /** User metadata (OSS `x-oss-meta-*`, S3 `x-amz-meta-*`), names in lower case. */
  metadata: Record<string, string>;
}

export interface StoredObject extends ObjectInfo {
  body: Buffer;
}

export interface PutOptions {
  contentType?: string;
  metadata?: Record<string, string>;
}

type PutIfAbsentResult = { created: true; etag: string } | { created: false };

export interface ListEntry {
  key: string;
  etag: string;
  size: number;
  lastModifiedEpochMs: number;
}

interface ListRequest {
  prefix: string;
  /** Opaque token from the previous page's nextToken. */
  token?: string;
  /** Page size, 1..1000 (default 1000). */
  limit?: number;
}

export interface ListPage {
  entries: ListEntry[];
  /** Present when more entries follow. */
  nextToken?: string;
}

export interface ObjectStore {
  /** undefined when the object does not exist. */
  get(key: string): Promise<StoredObject | undefined>;
  head(key: string): Promise<ObjectInfo | undefined>;
  put(key: string, body: Buffer, options?: PutOptions): Promise<{ etag: string }>;
  /** Conditional create: `{created: false}` when the key already exists; never overwrites. */
  putIfAbsent(key: string, body: Buffer, options?: PutOptions): Promise<PutIfAbsentResult>;
  /** Keys in ascending order, one page at a time. */
  list(request: ListRequest): Promise<ListPage>;
  /** Deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
}

/** `"abc"` / `W/"abc"` / `abc` -> `ABC`: OSS events carry bare upper-case ETags, the S3 API quoted ones. */
export const normaliseEtag = (etag: string): string =>
  etag
    .trim()
    .replace(/^W\//, '')
    .replace(/^"+|"+$/g, '')
    .toUpperCase();

/** Walks every page of a listing. */
export async function listAll(store: ObjectStore, prefix: string): Promise<ListEntry[]> {
  const out: ListEntry[] = [];
  let token: string | undefined;
  do {
    const page = await store.list(token === undefined ? { prefix } : { prefix, token });
    out.push(...page.entries);
    token = page.nextToken;
  } while (token !== undefined);
  return out;
}
