/**
 * Streams a prefix as cases: lists one page at a time (store pages are at most 1,000 keys) and groups the keys
 * of each case folder. Keys come in ascending order and every key of a folder starts with `<folder>/`, so a
 * folder's keys are contiguous: a case is complete as soon as a key of another folder arrives, and memory stays
 * flat in the number of keys (one page plus one case).
 */
import { CASE_JSON, caseIdSchema, PHOTO_FILES, parseClaimsName, RESULT_JSON } from '../cases/layout.ts';
import type { ListEntry, ObjectStore } from '../store/types.ts';
import { RERUN_DIR } from './cursor.ts';

interface PhotoVersion {
  etag: string;
  size: number;
}

/**
 * The newest claim seen for one version (`.idv-<pairHash>.claim-<seq>.json`). Its lease is its own
 * leaseUntilEpochMs (read by the rerun when it matters), never the listing's last-modified time.
 */
interface ClaimSeen {
  seq: number;
  /** The claim has ended (a `done` marker): nobody is working on it. */
  released: boolean;
}

/** Everything the listing says about one case folder. */
export interface CaseSnapshot {
  prefix: string;
  caseId: string;
  /** `<prefix>/<caseId>/`: the unit of ordering and of the cursor. */
  folder: string;
  /** false when the folder name is not a valid caseId (the OSS door rejects those; the rerun skips them). */
  validCaseId: boolean;
  ref?: PhotoVersion;
  auth?: PhotoVersion;
  hasResult: boolean;
  hasCaseJson: boolean;
  /** case.json's version, when there is one. */
  caseJson?: PhotoVersion;
  /** pairHash -> newest claim. */
  claims: Map<string, ClaimSeen>;
  /** Token of the listing page holding this folder's first key (undefined: the first page listed). */
  pageToken: string | undefined;
}

interface ScanOptions {
  prefix: string;
  /** Start listing at this page (a cursor's pageToken). */
  pageToken?: string;
  /** Skip case folders up to and including this one (a cursor's afterFolder). */
  afterFolder?: string;
  /** Page size (1..1000); default the store's (1000). */
  pageSize?: number;
  /** Called with the number of keys of each page, as it arrives. */
  onPage?: (keys: number) => void;
}

const folderOf = (prefix: string, caseId: string): string =>
  prefix === '' ? `${caseId}/` : `${prefix}/${caseId}/`;

function newSnapshot(prefix: string, caseId: string, pageToken: string | undefined): CaseSnapshot {
  return {
    prefix,
    caseId,
    folder: folderOf(prefix, caseId),
    validCaseId: caseIdSchema.safeParse(caseId).success,
    hasResult: false,
    hasCaseJson: false,
    claims: new Map(),
    pageToken,
  };
}

/** Adds one key (relative to the case folder) to its snapshot; keys that mean nothing to the rerun are ignored. */
function addKey(snapshot: CaseSnapshot, rest: string, entry: ListEntry): void {
  if (rest === PHOTO_FILES.ref) snapshot.ref = { etag: entry.etag, size: entry.size };
  else if (rest === PHOTO_FILES.auth) snapshot.auth = { etag: entry.etag, size: entry.size };
  else if (rest === RESULT_JSON) snapshot.hasResult = true;
  else if (rest === CASE_JSON) {
    snapshot.hasCaseJson = true;
    snapshot.caseJson = { etag: entry.etag, size: entry.size };
  } else {
    const claim = parseClaimsName(rest); // undefined for anything in a subfolder: rest then holds a '/'
    const seen = snapshot.claims.get(claim?.pairHash ?? '');
    // `done-N` lists after `claim-N` (same pair hash, "d" > "c"): it marks the newest claim released.
    if (claim?.kind === 'done' && seen?.seq === claim.seq) seen.released = true;
    if (claim?.kind !== 'claim') return;
    if (!seen || seen.seq < claim.seq) {
      snapshot.claims.set(claim.pairHash, { seq: claim.seq, released: false });
    }
  }
}

/** Yields one snapshot per case folder, in listing order. */
export async function* scanCases(store: ObjectStore, options: ScanOptions): AsyncGenerator<CaseSnapshot> {
  const { prefix } = options;
  const head = prefix === '' ? '' : `${prefix}/`;
  let token = options.pageToken;
  let current: CaseSnapshot | undefined;
  do {
    const pageToken = token;
    const page = await store.list({
      prefix: head,
      ...(token === undefined ? {} : { token }),
      ...(options.pageSize === undefined ? {} : { limit: options.pageSize }),
    });
    options.onPage?.(page.entries.length);
    for (const entry of page.entries) {
      const rest = entry.key.slice(head.length);
      const slash = rest.indexOf('/');
      if (slash <= 0) continue; // an object directly under the prefix: not a case
      const caseId = rest.slice(0, slash);
      if (caseId === RERUN_DIR) continue; // the rerun's own cursor
      if (current?.caseId !== caseId) {
        if (current) yield current;
        current = newSnapshot(prefix, caseId, pageToken);
      }
      addKey(current, rest.slice(slash + 1), entry);
    }
    token = page.nextToken;
  } while (token !== undefined);
  if (current) yield current;
}

/** scanCases without the folders a cursor says are done. */
export async function* scanCasesAfter(
  store: ObjectStore,
  options: ScanOptions,
): AsyncGenerator<CaseSnapshot> {
  const after = options.afterFolder;
  for await (const snapshot of scanCases(store, options)) {
    // Keys sort by UTF-8 bytes; JS compares UTF-16 code units, which agree except for characters past U+FFFF
    // against U+E000..U+FFFF, which no valid caseId (ASCII only) contains.
    if (after !== undefined && snapshot.folder <= after) continue;
    yield snapshot;
  }
}
