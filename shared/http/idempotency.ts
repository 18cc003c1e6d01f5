/**
 * `Idempotency-Key` on POST /verify (IETF draft-ietf-httpapi-idempotency-key-header; the record life cycle
 * follows Powertools' idempotency utility: in progress -> completed, with an expiry). Records live in an
 * ObjectStore (the bucket or a local folder) under `<prefix>/<scope>/`, created with putIfAbsent only, never
 * overwritten, and never hold photos (a SHA-256 of the request's content, requestContentHash, and the reply we
 * sent):
 *   claim-<seq>.json      the request with this key that is in flight (lease = the request budget + margin)
 *   sent-<seq>-<n>.json   written before upstream attempt n of that request leaves (possibly billed after a crash)
 *   done-<seq>.json       the reply; `final` replies are replayed, the others (a failure that cost nothing, or a
 *                         possibly-billed one within IDV_MAX_UNCERTAIN_RETRIES) let the next request try again
 * `scope` is the SHA-256 of the caller's API key and the Idempotency-Key, so two callers never share a record.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../clock.ts';
import { readJson } from '../store/json.ts';
import type { ObjectStore } from '../store/types.ts';
import { listAll } from '../store/types.ts';

interface IdempotencySettings {
  store: ObjectStore;
  /** Key prefix of the records (no trailing slash). */
  prefix: string;
  /** How long a completed reply is replayed (IDV_IDEMPOTENCY_TTL, default 24 h). */
  ttlMs: number;
  /** How long an in-flight request holds its key (the request budget plus a margin). */
  leaseMs: number;
  maxUncertainRetries: number;
  clock: Clock;
}

const claimSchema = z.object({
  schema: z.literal('idv.idempotency-claim/v1'),
  seq: z.number().int().positive(),
  bodyHash: z.string(),
  claimedAtEpochMs: z.number(),
  leaseUntilEpochMs: z.number(),
});
const doneSchema = z.object({
  schema: z.literal('idv.idempotency-done/v1'),
  seq: z.number().int().positive(),
  bodyHash: z.string(),
  final: z.boolean(),
  status: z.number().int(),
  body: z.string(),
  storedAtEpochMs: z.number(),
  expiresAtEpochMs: z.number(),
  /** Cumulative for this key: upstream calls certainly / possibly billed. */
  paidAttempts: z.number().int().nonnegative(),
  uncertainAttempts: z.number().int().nonnegative(),
});
type Done = z.infer<typeof doneSchema>;

/** `"abc"` (the draft's sf-string) or a bare token; 1-255 visible ASCII characters. */
export function parseIdempotencyKey(raw: string): string | undefined {
  const trimmed = raw.trim();
  const unquoted = /^"(.*)"$/.exec(trimmed)?.[1] ?? trimmed;
  return /^[\x21-\x7e]{1,255}$/.test(unquoted) ? unquoted : undefined;
}

const sha256 = (...parts: (string | Buffer)[]): string => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\n');
  return h.digest('hex');
};
export const idempotencyScope = (callerKey: string, idempotencyKey: string): string =>
  sha256('caller', callerKey, 'key', idempotencyKey);
/**
 * What makes two requests "the same request" for a key: the photos' bytes, resourceCode and reference as
 * parsed, not the body's bytes. A multipart body differs from one send to the next (the client picks a new
 * random boundary each time), and the same photos sent as JSON or as multipart are the same request.
 */
export const requestContentHash = (input: {
  ref: { bytes: Buffer };
  auth: { bytes: Buffer };
  resourceCode: string | undefined;
  reference: string | undefined;
}): string =>
  sha256(
    'verify/v2',
    sha256(input.ref.bytes),
    sha256(input.auth.bytes),
    JSON.stringify([input.resourceCode ?? null, input.reference ?? null]),
  );

interface StoredReply {
  status: number;
  body: string;
}

export interface Ticket {
  /** Possibly-billed retries this request may still spend (the key's budget minus what earlier ones spent). */
  remainingUncertainRetries: number;
  priorUncertain: number;
  beforeAttempt(attempt: number): Promise<void>;
  finish(reply: StoredReply, spent: { paid: number; uncertain: number }, final: boolean): Promise<void>;
}

type IdempotencyStart =
  | { kind: 'replay'; reply: StoredReply }
  | { kind: 'mismatch' }
  | { kind: 'in-flight'; retryAfterSeconds: number }
  | { kind: 'proceed'; ticket: Ticket };

const NAME = /^(claim|sent|done)-(\d{6,})(?:-(\d+))?\.json$/;
const seqText = (n: number) => String(n).padStart(6, '0');
const json = (v: unknown) => Buffer.from(`${JSON.stringify(v)}\n`);

export function createIdempotency(settings: IdempotencySettings) {
  const { store, clock } = settings;
  return {
    async start(scope: string, bodyHash: string): Promise<IdempotencyStart> {
      const folder = `${settings.prefix}/${scope}`;
      const entries = (await listAll(store, `${folder}/`))
        .map((e) => NAME.exec(e.key.slice(folder.length + 1)))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => ({ kind: m[1] as 'claim' | 'sent' | 'done', seq: Number(m[2]) }));
      const maxSeq = (kind: string) =>
        Math.max(0, ...entries.filter((e) => e.kind === kind).map((e) => e.seq));
      const nowEpochMs = clock.nowMs();
      const doneSeq = maxSeq('done');
      const done =
        doneSeq > 0
          ? await readJson(store, `${folder}/done-${seqText(doneSeq)}.json`, doneSchema)
          : undefined;
      const live: Done | undefined = done && done.expiresAtEpochMs > nowEpochMs ? done : undefined;
      if (live && live.bodyHash !== bodyHash) return { kind: 'mismatch' };
      if (live?.final) return { kind: 'replay', reply: { status: live.status, body: live.body } };
      const claimSeq = maxSeq('claim');
      if (claimSeq > doneSeq) {
        const claim = await readJson(store, `${folder}/claim-${seqText(claimSeq)}.json`, claimSchema);
        if (claim && claim.claimedAtEpochMs + settings.ttlMs > nowEpochMs && claim.bodyHash !== bodyHash)
          return { kind: 'mismatch' };
        if (claim && claim.leaseUntilEpochMs > nowEpochMs) {
          return {
            kind: 'in-flight',
            retryAfterSeconds: Math.max(1, Math.ceil((claim.leaseUntilEpochMs - nowEpochMs) / 1000)),
          };
        }
      }
      // Requests after the last reply that died in flight: each attempt they sent was possibly billed.
      const deadSends = entries.filter((e) => e.kind === 'sent' && e.seq > doneSeq).length;
      const priorUncertain = (live?.uncertainAttempts ?? 0) + deadSends;
      const priorPaid = live?.paidAttempts ?? 0;
      const seq = claimSeq + 1;
      const created = await store.putIfAbsent(
        `${folder}/claim-${seqText(seq)}.json`,
        json({
          schema: 'idv.idempotency-claim/v1',
          seq,
          bodyHash,
          claimedAtEpochMs: nowEpochMs,
          leaseUntilEpochMs: nowEpochMs + settings.leaseMs,
        }),
      );
      if (!created.created) return { kind: 'in-flight', retryAfterSeconds: 1 };
      return {
        kind: 'proceed',
        ticket: {
          remainingUncertainRetries: settings.maxUncertainRetries - priorUncertain,
          priorUncertain,
          beforeAttempt: async (attempt) => {
            await store.putIfAbsent(
              `${folder}/sent-${seqText(seq)}-${attempt}.json`,
              json({ schema: 'idv.idempotency-sent/v1', seq, attempt, sentAtEpochMs: clock.nowMs() }),
            );
          },
          finish: async (reply, spent, final) => {
            const storedAtEpochMs = clock.nowMs();
            const record: Done = {
              schema: 'idv.idempotency-done/v1',
              seq,
              bodyHash,
              final,
              status: reply.status,
              body: reply.body,
              storedAtEpochMs,
              expiresAtEpochMs: storedAtEpochMs + settings.ttlMs,
              paidAttempts: priorPaid + spent.paid,
              uncertainAttempts: priorUncertain + spent.uncertain,
            };
            await store.putIfAbsent(`${folder}/done-${seqText(seq)}.json`, json(record), {
              contentType: 'application/json',
            });
          },
        },
      };
    },
  };
}
export type Idempotency = ReturnType<typeof createIdempotency>;
