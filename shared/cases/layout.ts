/**
 * Bucket layout of a case: `<prefix>/<caseId>/ref.jpg` (ID photo), `auth.jpg` (face photo), optional
 * `case.json`, the verdict `result.json`, and the bookkeeping folder `.claims/<pairHash>/` (claims and paid
 * records). Only keys ending in `/ref.jpg` or `/auth.jpg` are photos: the OSS trigger filters on those suffixes,
 * so nothing this code writes (all `.json`) can re-trigger the function.
 */
import { z } from 'zod';

export const PHOTO_FILES = { ref: 'ref.jpg', auth: 'auth.jpg' } as const;
export type PhotoRole = keyof typeof PHOTO_FILES;
export const CASE_JSON = 'case.json';
export const RESULT_JSON = 'result.json';
export const CLAIMS_DIR = '.claims';

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
export type ParsedKey =
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
  if (caseId.split('/').includes(CLAIMS_DIR)) return { kind: 'other' };
  const parsed = caseIdSchema.safeParse(caseId);
  if (parsed.success) return { kind: 'photo', role, location: { prefix, caseId } };
  const message = caseId.includes('/')
    ? 'caseId may not contain "/" (cases are one folder deep under the prefix)'
    : (parsed.error.issues[0]?.message ?? 'invalid caseId');
  return { kind: 'invalid-case', role, folder: key.slice(0, key.length - file.length - 1), message };
}

export const caseFolder = ({ prefix, caseId }: CaseLocation): string =>
  prefix === '' ? caseId : `${prefix}/${caseId}`;
export const photoKey = (loc: CaseLocation, role: PhotoRole): string =>
  `${caseFolder(loc)}/${PHOTO_FILES[role]}`;
export const caseJsonKey = (loc: CaseLocation): string => `${caseFolder(loc)}/${CASE_JSON}`;
export const resultKey = (loc: CaseLocation): string => `${caseFolder(loc)}/${RESULT_JSON}`;
export const claimsFolder = (loc: CaseLocation, pairHash: string): string =>
  `${caseFolder(loc)}/${CLAIMS_DIR}/${pairHash}/`;

const seqText = (seq: number): string => String(seq).padStart(6, '0');
export const claimKey = (loc: CaseLocation, pairHash: string, seq: number): string =>
  `${claimsFolder(loc, pairHash)}claim-${seqText(seq)}.json`;
export const paidKey = (loc: CaseLocation, pairHash: string, seq: number): string =>
  `${claimsFolder(loc, pairHash)}paid-${seqText(seq)}.json`;

/** `.../claim-000003.json` -> {kind: 'claim', seq: 3}. */
export function parseClaimsEntry(key: string): { kind: 'claim' | 'paid'; seq: number } | undefined {
  const m = /\/(claim|paid)-(\d{6,})\.json$/.exec(key);
  return m ? { kind: m[1] as 'claim' | 'paid', seq: Number(m[2]) } : undefined;
}
