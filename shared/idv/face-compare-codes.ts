/**
 * Cloudauth-intl (2022-08-09) error `Code`s mapped onto our IdvErrorCode, as data. Source: Alibaba's ID
 * Verification page "Server-side HTTP status codes" (alibabacloud.com/help/en/ekyc/latest/
 * http-status-code-returned-by-the-server, updated 2026-06-24), which lists the HTTP status, `Code` and
 * meaning of every reply of the server-side APIs, FaceCompare and FaceCompareV2 included. Exact codes are
 * looked up first (so `Forbidden.AccountAccessDenied` is not read as the gateway's `Forbidden` family); a code
 * that is not here falls through to the POP gateway's families (SignatureDoesNotMatch, InvalidTimeStamp.*, ...)
 * and then to `UpstreamRejected`, which is permanent: nothing unknown is retried as if it were transient.
 */
import { classifyUpstreamCode } from './classify.ts';
import type { IdvErrorCode } from './errors.ts';

interface FaceCompareCode {
  /** HTTP status the documentation gives for the code. */
  status: number;
  code: IdvErrorCode;
  /** The documentation's meaning, short. */
  meaning: string;
}

export const FACE_COMPARE_CODES = {
  MissingParameter: { status: 400, code: 'InvalidParameters', meaning: 'a required parameter is missing' },
  InvalidParameter: { status: 400, code: 'InvalidParameters', meaning: 'a parameter is invalid' },
  TransactionIdInvalid: { status: 400, code: 'InvalidParameters', meaning: 'the transaction id is invalid' },
  'Forbidden.ExceptionRepeatedInvoke': {
    status: 401,
    code: 'UpstreamRejected',
    meaning: 'too many repeated calls that failed (retrying makes it worse)',
  },
  UnqualifiedPhoto: {
    status: 401,
    code: 'UnableGetImage',
    meaning: 'a photo is unreadable or its resolution is not accepted',
  },
  DataDuplication: {
    status: 401,
    code: 'InvalidParameters',
    meaning: 'a photo was sent both as base64 and as a URL',
  },
  ToolargeImage: { status: 401, code: 'UnableGetImage', meaning: 'a photo is larger than the limit' },
  DownloadTimeout: {
    status: 401,
    code: 'SystemError',
    meaning: 'downloading a photo URL timed out (this project never sends URLs)',
  },
  NoFaceDetected: { status: 401, code: 'UnableGetImage', meaning: 'no face features could be extracted' },
  'Forbidden.RAMUserAccessDenied': {
    status: 403,
    code: 'AuthFailed',
    meaning: 'the RAM user or role lacks the Cloudauth-intl permission',
  },
  'Forbidden.AccountAccessDenied': {
    status: 403,
    code: 'NotActivated',
    meaning: 'ID Verification is not activated, or the account has an overdue payment',
  },
  'Throttling.Api': { status: 403, code: 'Throttled', meaning: 'the API QPS limit is exceeded' },
  ProcessNotCompleted: {
    status: 404,
    code: 'UpstreamRejected',
    meaning: 'the verification process is not completed (not a FaceCompare reply)',
  },
  SuspiciousActivity: {
    status: 429,
    code: 'Throttled',
    meaning: 'restricted by a security policy, try again later',
  },
  InternalError: { status: 500, code: 'SystemError', meaning: 'internal error' },
  ServiceUnavailable: { status: 503, code: 'SystemError', meaning: 'the service is unavailable' },
} as const satisfies Record<string, FaceCompareCode>;
export type FaceCompareErrorCode = keyof typeof FACE_COMPARE_CODES;

export const classifyFaceCompareCode = (code: string): IdvErrorCode =>
  (FACE_COMPARE_CODES as Record<string, FaceCompareCode>)[code]?.code ?? classifyUpstreamCode(code);
