/**
 * Exactly-once bookkeeping for one photo pair version, beside its photos (layout.ts):
 * (`<pairHash>` is the versionHash of the version: both photos and case.json, shared/cases/version.ts.)
 * - `.idv-<pairHash>.claim-<seq>.json`, created with putIfAbsent: whoever creates claim N+1 may work on the pair until its lease
 *   ends (its own leaseUntilEpochMs: claimHolds in lease.ts). A claim whose lease has ended (its holder crashed) is taken over by creating the next number, so
 *   two instances can never both win the same takeover, and nothing is ever deleted or overwritten.
 * - `.idv-<pairHash>.paid-<seq>.json`: the upstream's answer, written right after the paid call and before result.json. A
 *   takeover that finds a paid record newer than the last result reuses it instead of paying again.
 * - `.idv-<pairHash>.sent-<seq>-<n>.json`: written right before attempt n of claim seq leaves for the upstream.
 *   A takeover counts the sent attempts of dead claims that left no paid record as possibly billed
 *   (`uncertain`), and processCase retries them only within IDV_MAX_UNCERTAIN_RETRIES (docs/money-safety.md).
 * - `.idv-<pairHash>.done-<seq>.json`: claim seq has ended (released at a run-level error, superseded, or found
 *   finished by the writer of another version's result), so the next claim of that version need not wait for
 *   its lease: A→B→A is judged again at once.
 * Trade-off: a crash between the upstream reply and the paid record write costs at most the uncertain-retry
 * budget on takeover (the upstream has no idempotency key), and is counted in result.json.
 */
import { jsonBody, readJson } from '../store/json.ts';
import type { ObjectStore } from '../store/types.ts';
import { listAll } from '../store/types.ts';
import {
  type CaseLocation,
  claimKey,
  claimsPrefix,
  doneKey,
  paidKey,
  parseClaimsEntry,
  sentKey,
} from './layout.ts';
import { claimHolds, pendingClaimSeq } from './lease.ts';
import {
  type Claim,
  claimSchema,
  type DoneRecord,
  doneRecordSchema,
  type PaidRecord,
  paidRecordSchema,
  type SentRecord,
} from './schemas.ts';
import { versionHash } from './version.ts';

/** Key of a version without case.json: sha256 of the canonical JSON of both photo ETags (see versionHash). */
export const pairHash = (refEtag: string, authEtag: string): string =>
  versionHash({ refEtag, authEtag, caseJsonEtag: undefined });

/** Upstream attempts of earlier claims that died without a result: certainly and possibly billed. */
interface DeadAttempts {
  paid: number;
  uncertain: number;
}

export type ClaimAttempt =
  | { won: true; claim: Claim; paid: PaidRecord | undefined; dead: DeadAttempts }
  | { won: false; holder: Claim | undefined };

interface ClaimRequest {
  location: CaseLocation;
  /** versionHash of the version to claim (shared/cases/version.ts). */
  hash: string;
  refEtag: string;
  authEtag: string;
  /** case.json's ETag when it is part of the version. */
  caseJsonEtag?: string;
  /** claimSeq of the result.json already written for this version (0 when result.json is about another). */
  resultSeq: number;
  nowEpochMs: number;
  leaseMs: number;
  owner: string;
}

export async function acquireClaim(store: ObjectStore, req: ClaimRequest): Promise<ClaimAttempt> {
  const entries = (await listAll(store, claimsPrefix(req.location, req.hash)))
    .map((e) => parseClaimsEntry(e.key))
    .filter((e) => e !== undefined);
  const latest = Math.max(0, ...entries.filter((e) => e.kind === 'claim').map((e) => e.seq));
  const released = entries.some((e) => e.kind === 'done' && e.seq === latest);
  const pending = pendingClaimSeq(latest === 0 ? undefined : { seq: latest, released }, req.resultSeq);
  if (pending !== undefined) {
    const holder = await readJson(store, claimKey(req.location, req.hash, pending), claimSchema);
    if (claimHolds(holder, req.nowEpochMs)) return { won: false, holder };
  }
  const claim: Claim = {
    schema: 'idv.claim/v1',
    seq: latest + 1,
    owner: req.owner,
    claimedAtEpochMs: req.nowEpochMs,
    leaseUntilEpochMs: req.nowEpochMs + req.leaseMs,
    refEtag: req.refEtag,
    authEtag: req.authEtag,
    ...(req.caseJsonEtag === undefined ? {} : { caseJsonEtag: req.caseJsonEtag }),
  };
  const created = await store.putIfAbsent(claimKey(req.location, req.hash, claim.seq), jsonBody(claim));
  if (!created.created) return { won: false, holder: undefined };
  const paidSeqs = entries.filter((e) => e.kind === 'paid' && e.seq > req.resultSeq).map((e) => e.seq);
  const newestPaid = paidSeqs.length > 0 ? Math.max(...paidSeqs) : undefined;
  const [paid, dead] = await Promise.all([
    newestPaid === undefined
      ? undefined
      : readJson(store, paidKey(req.location, req.hash, newestPaid), paidRecordSchema),
    deadAttempts(entries, req.resultSeq, claim.seq, (seq) =>
      readJson(store, doneKey(req.location, req.hash, seq), doneRecordSchema),
    ),
  ]);
  return { won: true, claim, paid, dead };
}

/**
 * Claims after the last result and before ours ended without a result about this version there now. A claim
 * whose done record counts its own attempts (it knew their outcome: e.g. the gateway refused a wrong secret,
 * not billed) adds those. For any other, each sent attempt was possibly billed, less the one a paid record
 * answered (its answer is reused). Conservative: an attempt that ended throttled before its holder crashed
 * also counts as uncertain. Done records are read only for claims that sent something.
 */
async function deadAttempts(
  entries: readonly { kind: string; seq: number }[],
  resultSeq: number,
  ourSeq: number,
  readDone: (seq: number) => Promise<DoneRecord | undefined> = async () => undefined,
): Promise<DeadAttempts> {
  const inRange = (seq: number) => seq > resultSeq && seq < ourSeq;
  const paidSeqs = new Set(entries.filter((e) => e.kind === 'paid' && inRange(e.seq)).map((e) => e.seq));
  const doneSeqs = new Set(entries.filter((e) => e.kind === 'done' && inRange(e.seq)).map((e) => e.seq));
  const sent = new Map<number, number>();
  for (const e of entries)
    if (e.kind === 'sent' && inRange(e.seq)) sent.set(e.seq, (sent.get(e.seq) ?? 0) + 1);
  let paid = 0;
  let uncertain = 0;
  const counted = new Set<number>();
  await Promise.all(
    [...sent.keys()]
      .filter((seq) => doneSeqs.has(seq))
      .map(async (seq) => {
        const done = await readDone(seq);
        if (done?.paidAttempts === undefined || done.uncertainAttempts === undefined) return;
        counted.add(seq);
        paid += done.paidAttempts;
        uncertain += done.uncertainAttempts;
      }),
  );
  for (const seq of paidSeqs) if (!counted.has(seq)) paid += 1;
  for (const [seq, n] of sent) {
    if (!counted.has(seq)) uncertain += paidSeqs.has(seq) ? Math.max(0, n - 1) : n;
  }
  return { paid, uncertain };
}

/** Written before attempt `attempt` of a claim leaves for the upstream (awaited: no record, no request). */
export async function recordSent(
  store: ObjectStore,
  location: CaseLocation,
  hash: string,
  record: SentRecord,
): Promise<void> {
  await store.putIfAbsent(sentKey(location, hash, record.claimSeq, record.attempt), jsonBody(record));
}

/**
 * Marks claim `seq` as ended, so the next attempt need not wait for its lease. `own`: the claim's own upstream
 * attempts, when its holder knows them (see deadAttempts).
 */
export async function releaseClaim(
  store: ObjectStore,
  location: CaseLocation,
  hash: string,
  seq: number,
  reason: string,
  own?: DeadAttempts,
): Promise<void> {
  const record: DoneRecord = {
    schema: 'idv.done/v1',
    seq,
    reason,
    ...(own ? { paidAttempts: own.paid, uncertainAttempts: own.uncertain } : {}),
  };
  await store.putIfAbsent(doneKey(location, hash, seq), jsonBody(record));
}

export async function recordPaid(
  store: ObjectStore,
  location: CaseLocation,
  hash: string,
  record: PaidRecord,
): Promise<void> {
  await store.putIfAbsent(paidKey(location, hash, record.seq), jsonBody(record));
}
