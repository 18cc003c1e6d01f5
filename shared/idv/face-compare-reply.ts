/**
 * The Cloudauth-intl FaceCompare / FaceCompareV2 reply as a zod schema, and `parseFaceCompareReply` that turns
 * it into the same Verdict as ExecuteRequest's, or a typed IdvError. Contract (generated SDK
 * `cloudauth-intl-20220809/src/models/FaceCompareResponseBody*.ts` and FaceCompareV2responseBody.ts):
 *   {"Code":"200","Message":"success","RequestId":"4EB3...","Result":{"TransactionId":"0857...",
 *    "Passed":"Y","FaceComparisonScore":98}}
 * `Code` is a string ("200" on success, else an error name such as InvalidParameter or Throttling.Api);
 * `Passed` is Y/N; `FaceComparisonScore` a number 0-100. V2 adds `Result.ExtFaceInfo` (quality scores), which
 * is tolerated and not used. FaceCompare does not judge spoofing: `faceAttack` is null, never a silent false.
 */
import { z } from 'zod';
import { jsonString } from '../json.ts';
import { IdvError } from './errors.ts';
import { classifyFaceCompareCode } from './face-compare-codes.ts';
import { describeIssues, requestIdOf, ScoreString, safeUpstreamMessage } from './reply.ts';
import type { Verdict } from './types.ts';

const FaceCompareResultSchema = z.object({
  TransactionId: z.string().min(1).optional(),
  Passed: z.enum(['Y', 'N']),
  // Every numeric form (98, "98.5", "1.0E-4"): the same rule as ExecuteRequest's score.
  FaceComparisonScore: ScoreString,
});

const FaceCompareReplySchema = z.object({
  Code: z.union([z.string(), z.number()]).transform(String),
  Message: z.string().optional(),
  RequestId: z.string().optional(),
  Result: z.unknown().optional(),
});

const ReplyBody = jsonString(FaceCompareReplySchema, 'not JSON');

interface FaceCompareReplyMeta {
  httpStatus?: number;
  attempts?: number;
}

/** Turns a FaceCompare reply (object or JSON text) into a Verdict; throws an IdvError for everything else. */
export function parseFaceCompareReply(body: unknown, meta: FaceCompareReplyMeta = {}): Verdict {
  const raw = Buffer.isBuffer(body) ? body.toString('utf8') : body;
  const parsed = ReplyBody.safeParse(raw);
  const base = { httpStatus: meta.httpStatus, attempts: meta.attempts };
  if (!parsed.success) {
    throw new IdvError(
      'Protocol',
      `upstream reply is not the documented JSON: ${describeIssues(parsed.error)}`,
      {
        ...base,
        requestId: requestIdOf(raw),
      },
    );
  }
  const reply = parsed.data;
  const requestId = reply.RequestId?.slice(0, 100);
  const opts = { ...base, requestId, upstreamCode: reply.Code.slice(0, 80) };
  if (reply.Code !== '200') {
    const detail = safeUpstreamMessage(reply.Message || 'no message');
    // An error Code is not a successful call: not billed, whatever it maps to (NoFaceDetected and its
    // siblings map to UnableGetImage, which saf bills because it comes in a Code 200 reply).
    throw new IdvError(classifyFaceCompareCode(reply.Code), `upstream Code ${opts.upstreamCode}: ${detail}`, {
      ...opts,
      billing: 'unbilled',
    });
  }
  // From here the upstream said Code 200: a call it bills. A reply we cannot read is `Unparseable`: possibly
  // paid, never retried blindly.
  const result = FaceCompareResultSchema.safeParse(reply.Result);
  if (!result.success) {
    throw new IdvError(
      'Unparseable',
      `upstream Code 200 without a valid Result: ${describeIssues(result.error)}`,
      opts,
    );
  }
  if (!requestId) throw new IdvError('Unparseable', 'upstream reply without RequestId', opts);
  const passed = result.data.Passed === 'Y';
  return {
    requestId,
    passed,
    result: passed,
    score: result.data.FaceComparisonScore,
    faceAttack: null,
    retCode: reply.Code,
    retCodeSub: '',
    retMessage: safeUpstreamMessage(reply.Message ?? ''),
    ...(result.data.TransactionId ? { transactionId: result.data.TransactionId } : {}),
    attempts: meta.attempts ?? 1,
  };
}
