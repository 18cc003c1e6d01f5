/**
 * A case's version: what a verdict is about and what one paid call buys. It is both photo ETags and the ETag of
 * case.json (or its absence): replacing a photo or editing, adding or deleting case.json starts a new version,
 * judged once (verified or rejected again), with claims of its own (`.idv-<versionHash>.*`).
 *
 * A result.json written before case.json was part of the version has no `caseJson` field: it keeps describing
 * its photos whatever case.json says (so an upgrade never pays again for a judged pair), and its claims keep
 * the hash of the photos alone. The next photo replacement starts versions with case.json.
 */
import { createHash } from 'node:crypto';
import type { CaseResult } from './schemas.ts';

export interface CaseVersion {
  refEtag: string;
  authEtag: string;
  /** case.json's ETag; null: no case.json; undefined: not part of the version (a result from before it was). */
  caseJsonEtag?: string | null | undefined;
}

/**
 * Deterministic key of a version: sha256 of the canonical JSON of its ETags. Without case.json it is the hash
 * of the two photo ETags alone (the key of every pair version before case.json was part of it).
 */
export const versionHash = (v: CaseVersion): string =>
  createHash('sha256')
    .update(
      JSON.stringify(
        typeof v.caseJsonEtag === 'string'
          ? { auth: v.authEtag, caseJson: v.caseJsonEtag, ref: v.refEtag }
          : { auth: v.authEtag, ref: v.refEtag },
      ),
    )
    .digest('hex');

/** The version a result.json is about. */
export const versionOfResult = (r: CaseResult): CaseVersion => ({
  refEtag: r.photos.ref.etag,
  authEtag: r.photos.auth.etag,
  caseJsonEtag: r.caseJson === undefined ? undefined : (r.caseJson?.etag ?? null),
});

/** True when a result about version `judged` is about the objects there now (`current`). */
export function describes(judged: CaseVersion, current: CaseVersion): boolean {
  if (judged.refEtag !== current.refEtag || judged.authEtag !== current.authEtag) return false;
  return judged.caseJsonEtag === undefined || judged.caseJsonEtag === current.caseJsonEtag;
}

/**
 * The version to claim and judge for the objects there now (`current`, caseJsonEtag string or null), given the
 * version result.json is about (`judged`, if any): `same` when that result describes them. A result from before
 * case.json was part of the version keeps its version (the photos alone), so its claims keep their hash.
 */
export function versionToJudge(
  current: CaseVersion,
  judged: CaseVersion | undefined,
): { version: CaseVersion; same: boolean } {
  if (judged === undefined || !describes(judged, current)) return { version: current, same: false };
  return { version: judged.caseJsonEtag === undefined ? judged : current, same: true };
}
