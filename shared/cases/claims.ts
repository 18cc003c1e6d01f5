/**
 * Exactly-once bookkeeping for one photo pair version, beside its photos (layout.ts):
 * - `.idv-<pairHash>.claim-<seq>.json`, created with putIfAbsent: whoever creates claim N+1 may work on the pair until its lease
 *   ends. A claim whose lease has ended (its holder crashed) is taken over by creating the next number, so
 *   two instances can never both win the same takeover, and nothing is ever deleted or overwritten.
 * - `.idv-<pairHash>.paid-<seq>.json`: the upstream's answer, written right after the paid call and before result.json. A
 *   takeover that finds a paid record newer than the last result reuses it instead of paying again.
 * - `.idv-<pairHash>.sent-<seq>-<n>.json`: written right before attempt n of claim seq leaves for the upstream.
 *   A takeover counts the sent attempts of dead claims that left no paid record as possibly billed
 *   (`uncertain`), and processCase retries them only within IDV_MAX_UNCERTAIN_RETRIES (docs/money-safety.md).
 * Trade-off: a crash between the upstream reply and the paid record write costs at most the uncertain-retry
 * budget on takeover (the upstream has no idempotency key), and is counted in result.json.
 */
import { createHash } from 'node:crypto';
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
import { type Claim, claimSchema, type PaidRecord, paidRecordSchema, type SentRecord } from './schemas.ts';

/** Deterministic key of a pair version: sha256 of the canonical JSON of both ETags. */
export const pairHash = (refEtag: string, authEtag: string): string =>
  createHash('sha256')
    .update(JSON.stringify({ auth: authEtag, ref: refEtag }))
    .digest('hex');

export async function readJson<T>(
  store: ObjectStore,
  key: string,
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } },
): Promise<T | undefined> {
  const object = await store.get(key);
  if (!object) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(object.body.toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export const jsonBody = (value: unknown): Buffer => Buffer.from(`${JSON.stringify(value, null, 2)}\n`);

/** Upstream attempts of earlier claims that died without a result: certainly and possibly billed. */
export interface DeadAttempts {
  paid: number;
  uncertain: number;
}

export type ClaimAttempt =
  | { won: true; claim: Claim; paid: PaidRecord | undefined; dead: DeadAttempts }
  | { won: false; holder: Claim | undefined };

export interface ClaimRequest {
  location: CaseLocation;
  hash: string;
  refEtag: string;
  authEtag: string;
  /** claimSeq of the result.json already written for this pair version (0 when none). */
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
  if (latest > req.resultSeq && !released) {
    const holder = await readJson(store, claimKey(req.location, req.hash, latest), claimSchema);
    // An unreadable claim is treated as expired: only a newer claim number can replace it, so this is safe.
    if (holder && holder.leaseUntilEpochMs > req.nowEpochMs) return { won: false, holder };
  }
  const claim: Claim = {
    schema: 'idv.claim/v1',
    seq: latest + 1,
    owner: req.owner,
    claimedAtEpochMs: req.nowEpochMs,
    leaseUntilEpochMs: req.nowEpochMs + req.leaseMs,
    refEtag: req.refEtag,
    authEtag: req.authEtag,
  };
  const created = await store.putIfAbsent(claimKey(req.location, req.hash, claim.seq), jsonBody(claim));
  if (!created.created) return { won: false, holder: undefined };
  const paidSeqs = entries.filter((e) => e.kind === 'paid' && e.seq > req.resultSeq).map((e) => e.seq);
  const newestPaid = paidSeqs.length > 0 ? Math.max(...paidSeqs) : undefined;
  const paid =
    newestPaid === undefined
      ? undefined
      : await readJson(store, paidKey(req.location, req.hash, newestPaid), paidRecordSchema);
  return { won: true, claim, paid, dead: deadAttempts(entries, req.resultSeq, claim.seq) };
}

/**
 * Claims after the last result and before ours died (their lease ended without a result). Each of their sent
 * attempts was possibly billed; one per claim that saved a paid record was certainly billed (its answer is
 * reused). Conservative: an attempt that ended throttled before its holder crashed also counts as uncertain.
 */
export function deadAttempts(
  entries: readonly { kind: string; seq: number }[],
  resultSeq: number,
  ourSeq: number,
): DeadAttempts {
  const inRange = (seq: number) => seq > resultSeq && seq < ourSeq;
  const paidSeqs = new Set(entries.filter((e) => e.kind === 'paid' && inRange(e.seq)).map((e) => e.seq));
  const sent = new Map<number, number>();
  for (const e of entries)
    if (e.kind === 'sent' && inRange(e.seq)) sent.set(e.seq, (sent.get(e.seq) ?? 0) + 1);
  let uncertain = 0;
  for (const [seq, n] of sent) uncertain += paidSeqs.has(seq) ? Math.max(0, n - 1) : n;
  return { paid: paidSeqs.size, uncertain };
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

/** Marks claim `seq` as ended without a result of its own, so the next attempt need not wait for its lease. */
export async function releaseClaim(
  store: ObjectStore,
  location: CaseLocation,
  hash: string,
  seq: number,
  reason: string,
): Promise<void> {
  await store.putIfAbsent(doneKey(location, hash, seq), jsonBody({ schema: 'idv.done/v1', seq, reason }));
}

export async function recordPaid(
  store: ObjectStore,
  location: CaseLocation,
  hash: string,
  record: PaidRecord,
): Promise<void> {
  await store.putIfAbsent(paidKey(location, hash, record.seq), jsonBody(record));
}
