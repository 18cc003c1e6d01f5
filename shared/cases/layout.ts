/**
 * Bucket layout of a case: `<prefix>/<caseId>/ref.jpg` (ID photo), `auth.jpg` (face photo), optional
 * `case.json`, the verdict `result.json`, and the exactly-once bookkeeping of each pair version beside them,
 * `.idv-<pairHash>.claim-<seq>.json` and `.idv-<pairHash>.paid-<seq>.json`. They sit in the case folder rather
 * than in a folder of their own: on a local folder every new directory is an inode to allocate, one of the
 * costliest steps of a paid invocation on the bucket benchmark. Only keys ending in `/ref.jpg` or
 * `/auth.jpg` are photos: the OSS trigger filters on those suffixes, so nothing this code writes (all `.json`)
 * can re-trigger the function.
 */
import { z } from 'zod';

export const PHOTO_FILES = { ref: 'ref.jpg', auth: 'auth.jpg' } as const;
export type PhotoRole = keyof typeof PHOTO_FILES;
export const CASE_JSON = 'case.json';
export const RESULT_JSON = 'result.json';
/** Names of the bookkeeping files start with this. */
const BOOKKEEPING_PREFIX = '.idv-';

/** Letters, digits, `.`, `_`, `-`; starts with a letter or digit; at most 128 characters; no `..`. */
export const caseIdSchema = z
  .string()
  .max(128, 'caseId is longer than 128 characters')
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
    'caseId may contain only letters, digits, ".", "_" and "-", starting with a letter or digit',
  )
  .refine((s) => !s.includes('..'), 'caseId may not contain ".."');

/** `cases`, `in/2024`, or '' for cases at the bucket root. */
export const prefixSchema = z
  .string()
  .regex(
    /^$|^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/,
    'prefix must be /-separated names without leading or trailing /',
  )
  .refine(
    (s) => !s.split('/').some((p) => p === '.' || p === '..'),
    'prefix may not contain . or .. segments',
  );

export interface CaseLocation {
  prefix: string;
  caseId: string;
}

/** What a key means to the bucket door. */
type ParsedKey =
  | { kind: 'photo'; role: PhotoRole; location: CaseLocation }
  /** A photo name under the prefix whose folder is not a valid caseId: rejected beside the photo. */
  | { kind: 'invalid-case'; role: PhotoRole; folder: string; message: string }
  | { kind: 'other' };

export function parseCaseKey(key: string, prefix: string): ParsedKey {
  const head = prefix === '' ? '' : `${prefix}/`;
  if (!key.startsWith(head)) return { kind: 'other' };
  const rest = key.slice(head.length);
  const slash = rest.lastIndexOf('/');
  if (slash <= 0) return { kind: 'other' };
  const file = rest.slice(slash + 1);
  const role = (Object.keys(PHOTO_FILES) as PhotoRole[]).find((r) => PHOTO_FILES[r] === file);
  if (role === undefined) return { kind: 'other' };
  const caseId = rest.slice(0, slash);
  const parsed = caseIdSchema.safeParse(caseId);
  if (parsed.success) return { kind: 'photo', role, location: { prefix, caseId } };
  const message = caseId.includes('/')
    ? 'caseId may not contain "/" (cases are one folder deep under the prefix)'
    : (parsed.error.issues[0]?.message ?? 'invalid caseId');
  return { kind: 'invalid-case', role, folder: key.slice(0, key.length - file.length - 1), message };
}

/**
 * `<prefix>/<caseId>/case.json` -> its case, else undefined. Editing, adding or deleting case.json makes a new
 * version of the case (shared/cases/version.ts): the door judges the case again on its event.
 */
export function caseOfCaseJsonKey(key: string, prefix: string): CaseLocation | undefined {
  const head = prefix === '' ? '' : `${prefix}/`;
  if (!key.startsWith(head) || !key.endsWith(`/${CASE_JSON}`)) return undefined;
  const caseId = key.slice(head.length, key.length - CASE_JSON.length - 1);
  return caseIdSchema.safeParse(caseId).success ? { prefix, caseId } : undefined;
}

export const caseFolder = ({ prefix, caseId }: CaseLocation): string =>
  prefix === '' ? caseId : `${prefix}/${caseId}`;
export const photoKey = (loc: CaseLocation, role: PhotoRole): string =>
  `${caseFolder(loc)}/${PHOTO_FILES[role]}`;
export const caseJsonKey = (loc: CaseLocation): string => `${caseFolder(loc)}/${CASE_JSON}`;
export const resultKey = (loc: CaseLocation): string => `${caseFolder(loc)}/${RESULT_JSON}`;
/** The key prefix shared by every claim and paid record of one pair version. */
export const claimsPrefix = (loc: CaseLocation, pairHash: string): string =>
  `${caseFolder(loc)}/${BOOKKEEPING_PREFIX}${pairHash}.`;

const seqText = (seq: number): string => String(seq).padStart(6, '0');
export const claimKey = (loc: CaseLocation, pairHash: string, seq: number): string =>
  `${claimsPrefix(loc, pairHash)}claim-${seqText(seq)}.json`;
export const paidKey = (loc: CaseLocation, pairHash: string, seq: number): string =>
  `${claimsPrefix(loc, pairHash)}paid-${seqText(seq)}.json`;

/** Written when a claim ends without a result of its own (a run-level error released it). */
export const doneKey = (loc: CaseLocation, pairHash: string, seq: number): string =>
  `${claimsPrefix(loc, pairHash)}done-${seqText(seq)}.json`;

/** Attempt `attempt` of claim `seq` was about to leave for the upstream (written before the request). */
export const sentKey = (loc: CaseLocation, pairHash: string, seq: number, attempt: number): string =>
  `${claimsPrefix(loc, pairHash)}sent-${seqText(seq)}-${attempt}.json`;

interface ClaimsEntry {
  pairHash: string;
  kind: 'claim' | 'paid' | 'done' | 'sent';
  seq: number;
  /** kind 'sent' only: the attempt number within the claim. */
  attempt?: number;
}

const CLAIMS_NAME = /^\.idv-([0-9a-f]{64})\.(claim|paid|done)-(\d{6,})\.json$/;
const SENT_NAME = /^\.idv-([0-9a-f]{64})\.sent-(\d{6,})-(\d{1,6})\.json$/;

/** `.idv-<pairHash>.claim-000003.json` (a file name in a case folder) -> {pairHash, kind: 'claim', seq: 3}. */
export function parseClaimsName(name: string): ClaimsEntry | undefined {
  const m = CLAIMS_NAME.exec(name);
  if (m) return { pairHash: m[1] as string, kind: m[2] as ClaimsEntry['kind'], seq: Number(m[3]) };
  const sent = SENT_NAME.exec(name);
  return sent
    ? { pairHash: sent[1] as string, kind: 'sent', seq: Number(sent[2]), attempt: Number(sent[3]) }
    : undefined;
}

/** The same for a full key. */
export const parseClaimsEntry = (key: string): ClaimsEntry | undefined =>
  parseClaimsName(key.slice(key.lastIndexOf('/') + 1));
