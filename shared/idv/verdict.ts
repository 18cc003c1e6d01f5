/**
 * The conservative reading of an upstream verdict, whichever API gave it. A verdict that says "verified"
 * (`result: true`) while its own fields say otherwise (`passed: false`: the comparison did not pass, or
 * `faceAttack: true`: a spoof was seen) contradicts itself; it is decided as not verified and flagged
 * `upstreamInconsistent: true` so the reply, result.json and the log show why (docs/http-api.md).
 * Idempotent: a settled verdict is returned as it is.
 */
import { z } from 'zod';

/** The verdict's fields as the doors keep them (result.json, the paid record, the HTTP reply). */
export const verdictFieldsSchema = z.object({
  /** Data.passed: the comparison ran and passed. */
  passed: z.boolean(),
  /** extInfo.result: the API's decision (false for different people or an attack). */
  result: z.boolean(),
  /** extInfo.score, 0-100. */
  score: z.number(),
  /** extInfo.faceAttack; null when the API does not judge attacks (Cloudauth-intl FaceCompare). */
  faceAttack: z.boolean().nullable(),
  retCode: z.string(),
  retCodeSub: z.string(),
  retMessage: z.string(),
  /** The upstream's fields contradicted each other; `result` was decided as false (settleVerdict). */
  upstreamInconsistent: z.boolean().optional(),
  /** Cloudauth-intl Result.TransactionId, where the API gives one. */
  transactionId: z.string().optional(),
});

/** The upstream's answer as the client returns it: the verdict's fields, the request id and what it cost. */
export const verdictSchema = verdictFieldsSchema.extend({
  /** Upstream RequestId. */
  requestId: z.string(),
  /** Attempts the client made, retries included (1 when the first one answered). */
  attempts: z.number().int(),
  /** Of those, certainly billed (this answer included) and possibly billed (outcome unknown). */
  paidAttempts: z.number().int().optional(),
  uncertainAttempts: z.number().int().optional(),
});

type VerdictCore = Pick<
  z.infer<typeof verdictFieldsSchema>,
  'passed' | 'result' | 'faceAttack' | 'upstreamInconsistent'
>;

const isInconsistentVerdict = (v: VerdictCore): boolean => v.result && (!v.passed || v.faceAttack === true);

export function settleVerdict<T extends VerdictCore>(verdict: T): T {
  if (!isInconsistentVerdict(verdict)) return verdict;
  return { ...verdict, result: false, upstreamInconsistent: true };
}

type VerdictFields = z.infer<typeof verdictFieldsSchema>;

/** The verdict's own fields (no request id or attempt counts), as result.json and the HTTP reply carry them. */
export const verdictFieldsOf = (v: VerdictFields): VerdictFields => ({
  passed: v.passed,
  result: v.result,
  score: v.score,
  faceAttack: v.faceAttack,
  retCode: v.retCode,
  retCodeSub: v.retCodeSub,
  retMessage: v.retMessage,
  ...(v.upstreamInconsistent ? { upstreamInconsistent: true } : {}),
  ...(v.transactionId === undefined ? {} : { transactionId: v.transactionId }),
});
