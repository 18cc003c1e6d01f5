/**
 * Exactly-once bookkeeping for one photo pair version, beside its photos (layout.ts):
 * - `.idv-<pairHash>.claim-<seq>.json`, created with putIfAbsent: whoever creates claim N+1 may work on the pair until its lease
 *   ends. A claim whose lease has ended (its holder crashed) is taken over by creating the next number, so
 *   two instances can never both win the same takeover, and nothing is ever deleted or overwritten.
 * - `.idv-<pairHash>.paid-<seq>.json`: the upstream's answer, written right after the paid call and before result.json. A
 *   takeover that finds a paid record newer than the last result reuses it instead of paying again.
 * Trade-off: a crash in the few milliseconds between the upstream reply and the paid record write still costs
 * one more call on takeover (the upstream has no idempotency key); a crash anywhere else costs nothing extra.
 */
import { createHash } from 'node:crypto';
import type { ObjectStore } from '../store/types.ts';
import { listAll } from '../store/types.ts';
import { type CaseLocation, claimKey, claimsPrefix, doneKey, paidKey, parseClaimsEntry } from './layout.ts';
import { type Claim, claimSchema, type PaidRecord, paidRecordSchema } from './schemas.ts';

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

export type ClaimAttempt =
  | { won: true; claim: Claim; paid: PaidRecord | undefined }
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
  return { won: true, claim, paid };
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
