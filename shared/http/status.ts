/**
 * The ONE place where errors become HTTP statuses. 4xx errors expose `{error:{code, message, field?}}` and
 * never echo input; anything unexpected becomes a generic 500 carrying the request id (details go to the log).
 *
 * Retry-After for an upstream daily quota (402): Alibaba's ID Verification documentation does not state when
 * a daily quota resets (checked: the QPS limits page only documents per-second limits). We answer with the
 * seconds until the next midnight at IDV_QUOTA_RESET_UTC_OFFSET_MINUTES (default 0: UTC, as the emulator
 * counts days; the bucket door uses the same variable for its retry time).
 */
import { nextQuotaResetEpochMs } from '../clock.ts';
import type { IdvError, IdvErrorCode } from '../idv/errors.ts';
import { PhotoError } from '../photo/errors.ts';
import { HttpError } from './errors.ts';

interface ErrorReply {
  status: number;
  headers: Record<string, string>;
  body: {
    error: { code: string; message: string; field?: string; upstreamRequestId?: string };
    requestId: string;
  };
  /** True when the failure is ours or the upstream's (logged as error), false for a caller's mistake. */
  serverFault: boolean;
}

type UpstreamMapping = { status: number; code: string; message: string; retryAfter?: 'midnight' | number };

/** Upstream failures by IdvError code: data, not scattered ifs. */
export const UPSTREAM_STATUS: Record<IdvErrorCode, UpstreamMapping> = {
  QuotaExceeded: {
    status: 429,
    code: 'upstream_quota_exceeded',
    message: 'the daily verification quota is spent',
    retryAfter: 'midnight',
  },
  Throttled: {
    status: 503,
    code: 'upstream_throttled',
    message: 'the verification service is throttling requests',
    retryAfter: 1,
  },
  NotActivated: {
    status: 502,
    code: 'upstream_not_activated',
    message: 'the verification service is not activated or has expired for this account',
  },
  InvalidService: {
    status: 502,
    code: 'upstream_invalid_service',
    message: 'the verification service name is misconfigured',
  },
  InvalidResourceCode: {
    status: 502,
    code: 'upstream_invalid_resource_code',
    message: 'the resourceCode is not valid for this account',
  },
  InvalidParameters: {
    status: 502,
    code: 'upstream_invalid_parameters',
    message: 'the verification service refused the request parameters',
  },
  AuthFailed: {
    status: 502,
    code: 'upstream_auth_failed',
    message: 'the verification service refused our credentials',
  },
  UnableGetImage: {
    status: 422,
    code: 'upstream_unable_get_image',
    message: 'the verification service could not read a photo',
  },
  Timeout: {
    status: 504,
    code: 'upstream_timeout',
    message: 'the verification service did not answer in time',
  },
  DeadlineExceeded: {
    status: 504,
    code: 'upstream_timeout',
    message:
      'not enough time was left in this request to ask the verification service (IDV_MIN_ATTEMPT_MS); nothing was sent or paid',
  },
  SystemError: { status: 502, code: 'upstream_unavailable', message: 'the verification service failed' },
  Processing: {
    status: 502,
    code: 'upstream_unavailable',
    message: 'the verification service is still processing',
  },
  Network: {
    status: 502,
    code: 'upstream_unavailable',
    message: 'the verification service could not be reached',
  },
  ConnectionLost: {
    status: 502,
    code: 'upstream_unavailable',
    message: 'the connection to the verification service was lost',
  },
  Unparseable: {
    status: 502,
    code: 'upstream_unparseable',
    message: 'the verification service answered with a reply that cannot be read (it may have been billed)',
  },
  Protocol: {
    status: 502,
    code: 'upstream_unavailable',
    message: 'the verification service sent an unexpected reply',
  },
  UpstreamRejected: {
    status: 502,
    code: 'upstream_rejected',
    message: 'the verification service rejected the request',
  },
  Aborted: {
    status: 503,
    code: 'request_aborted',
    message: 'the request was aborted before the verification finished',
  },
};
const UNKNOWN_UPSTREAM: UpstreamMapping = {
  status: 502,
  code: 'upstream_unavailable',
  message: 'the verification service failed',
};

/** Seconds until the next midnight at a UTC offset (minutes east of UTC). */
export const secondsUntilMidnight = (nowEpochMs: number, utcOffsetMinutes = 0): number =>
  Math.max(1, Math.ceil((nextQuotaResetEpochMs(nowEpochMs, utcOffsetMinutes) - nowEpochMs) / 1000));

/** The request's own names of the two photos (PhotoInput.field): `ref`/`auth` or `refFaceContent`/`authFaceContent`. */
export interface PhotoFields {
  ref: string;
  auth: string;
}

/**
 * The upstream parameter names of each photo: ExecuteRequest's ServiceParameters and FaceCompare's form fields
 * (shared/idv/apis.ts). The emulator names the photo it could not read (`authFaceContent: no_face (Z9106)`,
 * FaceCompare `... (SourceFacePicture: no_face)`); Alibaba's documented messages name none.
 */
const UPSTREAM_PHOTO_NAMES = {
  ref: ['refFaceContent', 'SourceFacePicture'],
  auth: ['authFaceContent', 'TargetFacePicture'],
} as const;

/**
 * The request field of the photo an upstream UNABLE_GET_IMAGE names in its message, so a client can tell the
 * user which photo to take again. Undefined when the message names neither photo or both, or when the
 * request's field names are not known: no guessing.
 */
function photoFieldNamedBy(err: IdvError, fields: PhotoFields | undefined): string | undefined {
  if (err.code !== 'UnableGetImage' || fields === undefined) return undefined;
  const names = (photo: keyof PhotoFields) =>
    UPSTREAM_PHOTO_NAMES[photo].some((name) => new RegExp(`\\b${name}\\b`).test(err.message));
  const ref = names('ref');
  const auth = names('auth');
  if (ref === auth) return undefined;
  return ref ? fields.ref : fields.auth;
}

const isIdvError = (err: unknown): err is IdvError =>
  err instanceof Error && err.name === 'IdvError' && typeof (err as IdvError).code === 'string';

export function toErrorReply(
  err: unknown,
  requestId: string,
  nowEpochMs: number,
  quotaResetUtcOffsetMinutes = 0,
  /** The request's photo field names, once the body is parsed (for `field` of upstream_unable_get_image). */
  photoFields?: PhotoFields,
): ErrorReply {
  const reply = (
    status: number,
    code: string,
    message: string,
    field?: string,
    headers: Record<string, string> = {},
    serverFault = status >= 500,
  ): ErrorReply => ({
    status,
    headers,
    body: { error: { code, message, ...(field === undefined ? {} : { field }) }, requestId },
    serverFault,
  });
  if (err instanceof HttpError) return reply(err.status, err.code, err.message, err.field, err.headers);
  if (err instanceof PhotoError) return reply(err.status, err.code, err.message, err.field);
  if (isIdvError(err)) {
    const m = UPSTREAM_STATUS[err.code] ?? UNKNOWN_UPSTREAM;
    const headers: Record<string, string> = {};
    if (m.retryAfter !== undefined) {
      headers['retry-after'] = String(
        m.retryAfter === 'midnight'
          ? secondsUntilMidnight(nowEpochMs, quotaResetUtcOffsetMinutes)
          : m.retryAfter,
      );
    }
    // AuthFailed with no upstream reply: the function had no usable credentials, nothing was sent.
    const message =
      err.code === 'AuthFailed' && err.httpStatus === undefined && err.requestId === undefined
        ? 'the function has no usable credentials for the verification service (FC context.credentials from the function role, or ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET); nothing was sent'
        : m.message;
    const out = reply(m.status, m.code, message, photoFieldNamedBy(err, photoFields), headers, true);
    // The upstream's RequestId lets an operator ask Alibaba about a call that may have been billed.
    if (err.requestId) out.body.error = { ...out.body.error, upstreamRequestId: err.requestId };
    return out;
  }
  return reply(500, 'internal_error', `internal error; quote request id ${requestId}`);
}
