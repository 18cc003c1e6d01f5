/**
 * The upstream reply and its `Data` string, as zod schemas, and `parseReply` that turns a reply into a Verdict
 * or a typed IdvError. Documented reply (ExecuteRequest, intl_face_verify):
 *   {"Code":200,"Message":"OK","RequestId":"...","Data":"{\"passed\":\"true\",\"retCode\":\"OK_SUCCESS\",
 *    \"retCodeSub\":\"Z1140\",\"retMessage\":\"Facial recognition passed (Z1140)\",
 *    \"extInfo\":{\"result\":\"true\",\"score\":\"100.0\",\"faceAttack\":\"false\"}}"}
 * and errors such as {"Code":500,"Message":"system error","Data":"{...\"retCodeSub\":\"Z1141\",
 * \"retMessage\":\"resourceCode value invalid\"}"} or {"Code":400,"Message":"refFaceContent or authFaceContent
 * or resourceCode is null"}. `Data` is a JSON string; an object is accepted too. Extra fields are tolerated.
 */
import { z } from 'zod';
import { jsonString } from '../json.ts';
import { redactUpstreamText } from '../log.ts';
import { classifyUpstreamCode } from './classify.ts';
import { IdvError } from './errors.ts';
import type { Verdict } from './types.ts';
import { settleVerdict } from './verdict.ts';

/** "true"/"false" (the API's strings) or a real boolean, to a boolean. */
const BoolString = z
  .union([z.enum(['true', 'false']), z.boolean()])
  .transform((v) => v === true || v === 'true');

/**
 * Every numeric form a Java/JSON producer may send: quoted or unquoted, integer, decimal, E-notation
 * (`Double.toString` prints `1.0E-4` below 10^-3 and `1.0E7` from 10^7), and json-bigint's BigNumber objects
 * (pop-core parses replies with json-bigint, which turns numbers of more than 15 digits into BigNumber).
 */
const NUMERIC_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const isBigNumber = (v: unknown): boolean =>
  typeof v === 'object' && v !== null && (v as { _isBigNumber?: unknown })._isBigNumber === true;
const NumericValue = z
  .preprocess(
    (v: unknown) => (isBigNumber(v) ? String(v) : typeof v === 'string' ? v.trim() : v),
    z.union([z.string().regex(NUMERIC_TEXT, 'not a number'), z.number()]),
  )
  .transform(Number)
  .pipe(z.number().finite());

/** "87.3" (the API's string), "1.0E-4", 87 or 87.3 unquoted: a number in 0-100. */
export const ScoreString = NumericValue.pipe(z.number().min(0).max(100));

const ExtInfoSchema = z.object({ result: BoolString, score: ScoreString, faceAttack: BoolString });

const DataSchema = z.object({
  passed: BoolString.optional(),
  retCode: z.string(),
  retCodeSub: z.string().default(''),
  retMessage: z.string().default(''),
  extInfo: z.unknown().optional(),
});

const ReplySchema = z.object({
  Code: z
    .union([z.number(), z.string(), z.custom<{ toString(): string }>((v) => isBigNumber(v))])
    .transform((c) => String(c).trim()),
  Message: z.string().optional(),
  RequestId: z.string().optional(),
  Data: jsonString(DataSchema, 'not a JSON string').optional(),
});
export type Reply = z.infer<typeof ReplySchema>;

const ReplyBodySchema = jsonString(ReplySchema, 'not a JSON string');
/** Just Code and RequestId, to classify a reply whose Data does not parse. */
const LooseReplySchema = jsonString(
  z.object({
    Code: ReplySchema.shape.Code,
    RequestId: z
      .string()
      .transform((s) => s.slice(0, 100))
      .optional()
      .catch(undefined),
  }),
  'not a JSON string',
);

/** retCodes of a Code 200 reply that are failures. */
const RET_CODE_ERRORS = {
  SYSTEM_ERROR: 'SystemError',
  UNABLE_GET_IMAGE: 'UnableGetImage',
  PROCESSING: 'Processing',
} as const;

interface ReplyMeta {
  httpStatus?: number;
  attempts?: number;
}

/**
 * Turns an upstream reply (an object as pop-core returns it, or the raw JSON text) into a Verdict; throws an
 * IdvError for every documented failure, and a `Protocol` IdvError for anything that is not the documented JSON.
 * Messages never contain the body (it may hold anything, even photo bytes echoed by a proxy).
 */
export function parseReply(body: unknown, meta: ReplyMeta = {}): Verdict {
  const raw = Buffer.isBuffer(body) ? body.toString('utf8') : body;
  const parsed = ReplyBodySchema.safeParse(raw);
  const base = { httpStatus: meta.httpStatus, attempts: meta.attempts };
  if (!parsed.success) {
    const loose = LooseReplySchema.safeParse(raw);
    const requestId = loose.success ? loose.data.RequestId : requestIdOf(raw);
    const why = describeIssues(parsed.error);
    if (loose.success && loose.data.Code === '200') {
      throw new IdvError('Unparseable', `upstream Code 200 reply cannot be read: ${why}`, {
        ...base,
        requestId,
        upstreamCode: '200',
      });
    }
    if (loose.success) {
      // An error Code whose Data does not parse: the Code alone decides (not billed: not a successful call).
      const code = classifyUpstreamCode(loose.data.Code);
      throw new IdvError(code, `upstream Code ${loose.data.Code} (its Data does not parse)`, {
        ...base,
        requestId,
        upstreamCode: loose.data.Code,
        billing: 'unbilled',
      });
    }
    throw new IdvError('Protocol', `upstream reply is not the documented JSON: ${why}`, {
      ...base,
      requestId,
    });
  }
  const reply = parsed.data;
  const requestId = reply.RequestId;
  const data = reply.Data;
  const upstreamCode = [reply.Code, data?.retCode, data?.retCodeSub].filter(Boolean).join('/');
  const opts = { ...base, requestId, upstreamCode };
  if (reply.Code !== '200') {
    const code = classifyUpstreamCode(reply.Code, data?.retCodeSub);
    const detail = safeUpstreamMessage(data?.retMessage || reply.Message || 'no message');
    throw new IdvError(code, `upstream Code ${reply.Code}: ${detail}`, { ...opts, billing: 'unbilled' });
  }
  // From here the upstream said Code 200: a call it counts as successful (billed). A reply we cannot read is
  // `Unparseable`: possibly paid, never retried blindly.
  if (!data) throw new IdvError('Unparseable', 'upstream Code 200 without Data', opts);
  if (data.retCode in RET_CODE_ERRORS) {
    const code =
      data.retCode === 'SYSTEM_ERROR'
        ? classifyUpstreamCode('500', data.retCodeSub)
        : RET_CODE_ERRORS[data.retCode as keyof typeof RET_CODE_ERRORS];
    const detail = safeUpstreamMessage(data.retMessage);
    throw new IdvError(code, `upstream retCode ${data.retCode} ${data.retCodeSub}: ${detail}`, opts);
  }
  if (data.retCode !== 'OK_SUCCESS') {
    throw new IdvError(
      'Unparseable',
      `upstream retCode ${JSON.stringify(data.retCode.slice(0, 40))} is unknown`,
      opts,
    );
  }
  const ext = jsonString(ExtInfoSchema, 'not a JSON string').safeParse(data.extInfo);
  if (!ext.success || data.passed === undefined) {
    const why = ext.success ? 'passed is missing' : describeIssues(ext.error);
    throw new IdvError('Unparseable', `upstream OK_SUCCESS without a valid verdict: ${why}`, opts);
  }
  if (!requestId) throw new IdvError('Unparseable', 'upstream reply without RequestId', opts);
  return settleVerdict({
    requestId,
    passed: data.passed,
    result: ext.data.result,
    score: ext.data.score,
    faceAttack: ext.data.faceAttack,
    retCode: data.retCode,
    retCodeSub: data.retCodeSub,
    retMessage: safeUpstreamMessage(data.retMessage),
    attempts: meta.attempts ?? 1,
  });
}

/**
 * An upstream message fit for an error message and a log line. Alibaba's gateway answers SignatureDoesNotMatch
 * with "Specified signature is not matched with our calculation. server string to sign is:POST&%2F&AccessKeyId..."
 * (seen in SDK tests and user reports): the echoed StringToSign holds every parameter, here both photos in
 * percent-encoded base64 that the logger's base64 redaction cannot recognise. Cut it off, mask every base64 run
 * from 40 characters (before the cap, so a run cut in two is masked whole), and cap the length.
 */
export function safeUpstreamMessage(message: string): string {
  const cut = message.search(/server string to sign/i);
  const kept = redactUpstreamText(cut >= 0 ? message.slice(0, cut) : message).trim();
  return kept.length > 200 ? `${kept.slice(0, 200)}...` : kept;
}

/** Issue paths and messages only (zod's messages do not echo the input). */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}

export function requestIdOf(raw: unknown): string | undefined {
  if (raw && typeof raw === 'object' && 'RequestId' in raw) {
    const id = (raw as { RequestId: unknown }).RequestId;
    return typeof id === 'string' ? id.slice(0, 100) : undefined;
  }
  return undefined;
}
