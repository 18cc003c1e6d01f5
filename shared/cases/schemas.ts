/**
 * The schemas of what the bucket door reads and writes: case.json (operator input), result.json (the verdict,
 * `idv.result/v1`), and the bookkeeping objects `.idv-<pairHash>.*.json` (claims and paid records). Never photo bytes.
 */
import { z } from 'zod';
import { referenceSchema } from '../http/schemas.ts';
import { verdictFieldsSchema } from '../idv/verdict.ts';

/**
 * `held`: an upstream attempt may have been billed without an answer we could read (timeout, lost connection,
 * unreadable reply, a crash in flight) and the uncertain-retry budget is spent: nothing retries it
 * automatically; `npm run rerun -- --force` settles it (docs/money-safety.md).
 */
const caseStatusSchema = z.enum(['verified', 'rejected', 'retrying', 'failed', 'held']);
export type CaseStatus = z.infer<typeof caseStatusSchema>;

/** Optional operator input beside the photos. Unknown fields are refused so a typo is not silently ignored. */
export const caseJsonSchema = z.strictObject({
  resourceCode: z
    .string()
    .regex(/^\d{8}$/, 'resourceCode must be 8 digits')
    .optional(),
  // The HTTP door's rule: one rule for a reference, whichever door it comes through.
  reference: referenceSchema.optional(),
});
export type CaseJson = z.infer<typeof caseJsonSchema>;

const isoSchema = z.iso.datetime();
const photoRefSchema = z.object({ etag: z.string(), size: z.number().int().nonnegative() });

export type VerdictFields = z.infer<typeof verdictFieldsSchema>;

export const resultSchema = z.object({
  schema: z.literal('idv.result/v1'),
  caseId: z.string(),
  status: caseStatusSchema,
  /** Present when status is verified. */
  verdict: verdictFieldsSchema.optional(),
  /** Upstream RequestId of the call that decided this result, when the upstream answered. */
  requestId: z.string().optional(),
  resourceCode: z.string().optional(),
  reference: z.string().optional(),
  /** The photo versions judged; a replaced photo (new ETag) makes this result stale. */
  photos: z.object({ ref: photoRefSchema, auth: photoRefSchema }),
  /**
   * The case.json judged (null: there was none); an edited, added or deleted case.json makes this result stale.
   * Absent in results written before case.json was part of the version (shared/cases/version.ts).
   */
  caseJson: photoRefSchema.nullable().optional(),
  /** Processing attempts for this photo pair version. */
  attempts: z.number().int().positive(),
  /** Upstream calls for this pair version that were certainly billed (a Code 200 answer). */
  paidAttempts: z.number().int().nonnegative().optional(),
  /** Upstream calls for this pair version whose outcome is unknown: possibly billed (docs/money-safety.md). */
  uncertainAttempts: z.number().int().nonnegative().optional(),
  firstAttemptAt: isoSchema,
  lastAttemptAt: isoSchema,
  /** When the scheduled rerun should try again (status retrying only). */
  nextAttemptAt: isoSchema.optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  /** True when the retention setting deleted the photos after this final verdict. */
  photosDeleted: z.boolean().optional(),
  /** Sequence number of the claim that wrote this result (bookkeeping for exactly-once). */
  claimSeq: z.number().int().nonnegative(),
});
export type CaseResult = z.infer<typeof resultSchema>;

/** A claim: created with putIfAbsent; the holder may work on the pair until leaseUntilEpochMs. */
export const claimSchema = z.object({
  schema: z.literal('idv.claim/v1'),
  seq: z.number().int().positive(),
  owner: z.string(),
  claimedAtEpochMs: z.number(),
  leaseUntilEpochMs: z.number(),
  refEtag: z.string(),
  authEtag: z.string(),
  /** case.json's ETag in the claimed version (absent: no case.json, or not part of the version). */
  caseJsonEtag: z.string().optional(),
});
export type Claim = z.infer<typeof claimSchema>;

/** Written right before an upstream request leaves: proof after a crash that the attempt may have been billed. */
const sentRecordSchema = z.object({
  schema: z.literal('idv.sent/v1'),
  claimSeq: z.number().int().positive(),
  attempt: z.number().int().positive(),
  sentAtEpochMs: z.number(),
});
export type SentRecord = z.infer<typeof sentRecordSchema>;

/**
 * Written when a claim ends without (or after) its result: released at a run-level error, superseded by a newer
 * version, or found finished by the writer of another version's result. A released claim needs no lease wait.
 * paidAttempts/uncertainAttempts, when present, are the claim's own upstream attempts (a takeover counts them
 * instead of its sent records: an attempt the gateway refused, e.g. a wrong secret, was not billed).
 */
export const doneRecordSchema = z.object({
  schema: z.literal('idv.done/v1'),
  seq: z.number().int().positive(),
  reason: z.string(),
  paidAttempts: z.number().int().nonnegative().optional(),
  uncertainAttempts: z.number().int().nonnegative().optional(),
});
export type DoneRecord = z.infer<typeof doneRecordSchema>;

/** The upstream's answer, saved right after the paid call and before result.json, so a takeover reuses it. */
export const paidRecordSchema = z.object({
  schema: z.literal('idv.paid/v1'),
  seq: z.number().int().positive(),
  recordedAtEpochMs: z.number(),
  requestId: z.string(),
  resourceCode: z.string(),
  verdict: verdictFieldsSchema,
});
export type PaidRecord = z.infer<typeof paidRecordSchema>;
