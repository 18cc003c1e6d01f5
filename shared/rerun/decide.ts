/**
 * What the rerun does with one case, decided from the listing and result.json alone (pure, table-tested):
 *   due    complete pair with no result; a `retrying` result whose nextAttemptAt has come; a result about photos
 *          that have since been replaced (other ETags) or another case.json (edited, added or deleted: a new
 *          version, shared/cases/version.ts); an unreadable result; an expired claim with no result
 *   skip   incomplete pair; invalid caseId; a live claim (another instance is on it); a final result about the
 *          photos there now (verified, rejected, failed); a `retrying` result not yet due; a `held` result (an
 *          attempt may have been billed: only the operator's --force settles it)
 *   force  `force: true` turns a skipped final or not-yet-due result into a re-verification (pays again)
 * The decision is a pre-filter: processCase re-reads everything and has the last word (claims, leases, races).
 */
import { claimHolds } from '../cases/lease.ts';
import type { CaseStatus } from '../cases/schemas.ts';
import { describes } from '../cases/version.ts';

export interface ResultFacts {
  status: CaseStatus;
  refEtag: string;
  authEtag: string;
  /** case.json judged (null: none); undefined: a result from before case.json was part of the version. */
  caseJsonEtag?: string | null;
  nextAttemptEpochMs: number | undefined;
  claimSeq: number;
}

export interface DecisionInput {
  validCaseId: boolean;
  /** ETags of the photos there now; undefined when missing. */
  refEtag: string | undefined;
  authEtag: string | undefined;
  /** ETag of the case.json there now; undefined when there is none. */
  caseJsonEtag?: string | undefined;
  /** undefined: no result.json; 'unreadable': there is one, but it does not parse. */
  result: ResultFacts | 'unreadable' | undefined;
  /** The newest claim for the current version, with the end of its own lease (claimHolds). */
  claim: { seq: number; leaseUntilEpochMs: number } | undefined;
  nowEpochMs: number;
  force: boolean;
}

const DUE_REASONS = [
  'no-result',
  'expired-claim',
  'unreadable-result',
  'photos-replaced',
  'case-json-changed',
  'retry-due',
] as const;
const SKIP_REASONS = [
  'invalid-case-id',
  'incomplete',
  'in-progress',
  'final',
  'retry-later',
  'held',
] as const;
type DueReason = (typeof DUE_REASONS)[number];
type SkipReason = (typeof SKIP_REASONS)[number];

export type Decision =
  | { action: 'due'; reason: DueReason }
  | { action: 'force'; reason: 'forced' }
  | { action: 'skip'; reason: SkipReason };

/** The result, when it is about the version there now (both photos and case.json). */
function resultAboutCurrent(
  input: Pick<DecisionInput, 'refEtag' | 'authEtag' | 'caseJsonEtag' | 'result'>,
): ResultFacts | undefined {
  const { result, refEtag, authEtag } = input;
  if (typeof result !== 'object' || refEtag === undefined || authEtag === undefined) return undefined;
  const judged = { refEtag: result.refEtag, authEtag: result.authEtag, caseJsonEtag: result.caseJsonEtag };
  return describes(judged, { refEtag, authEtag, caseJsonEtag: input.caseJsonEtag ?? null })
    ? result
    : undefined;
}

export function decideCase(input: DecisionInput): Decision {
  const { result, claim, nowEpochMs } = input;
  if (!input.validCaseId) return { action: 'skip', reason: 'invalid-case-id' };
  if (input.refEtag === undefined || input.authEtag === undefined) {
    return { action: 'skip', reason: 'incomplete' };
  }
  const current = resultAboutCurrent(input);
  // A claim newer than the result about this version is an attempt under way (or one that died).
  const pending = claim !== undefined && claim.seq > (current?.claimSeq ?? 0) ? claim : undefined;
  if (claimHolds(pending, nowEpochMs)) return { action: 'skip', reason: 'in-progress' };
  if (result === undefined) return { action: 'due', reason: pending ? 'expired-claim' : 'no-result' };
  if (result === 'unreadable') return { action: 'due', reason: 'unreadable-result' };
  if (!current) {
    const samePhotos = result.refEtag === input.refEtag && result.authEtag === input.authEtag;
    return { action: 'due', reason: samePhotos ? 'case-json-changed' : 'photos-replaced' };
  }
  if (current.status === 'retrying') {
    if (current.nextAttemptEpochMs === undefined || current.nextAttemptEpochMs <= nowEpochMs) {
      return { action: 'due', reason: 'retry-due' };
    }
    return input.force ? { action: 'force', reason: 'forced' } : { action: 'skip', reason: 'retry-later' };
  }
  if (current.status === 'held') {
    return input.force ? { action: 'force', reason: 'forced' } : { action: 'skip', reason: 'held' };
  }
  return input.force ? { action: 'force', reason: 'forced' } : { action: 'skip', reason: 'final' };
}
