/**
 * Typed errors of the ID Verification API. Classification is data (the `as const` lists below), predicates
 * are one-liners. Every error keeps the upstream RequestId when there is one, and never photo bytes.
 */

export const IDV_ERROR_CODES = [
  'InvalidParameters', // HTTP/Code 400: bad ServiceParameters
  'QuotaExceeded', // 402: daily quota spent
  'NotActivated', // 403: service not activated or expired
  'InvalidService', // 404: wrong Service
  'InvalidResourceCode', // 500 + retCodeSub Z1141: permanent
  'SystemError', // 500 / retCode SYSTEM_ERROR: transient
  'Processing', // retCode PROCESSING: transient, try again
  'UnableGetImage', // retCode UNABLE_GET_IMAGE: the upstream could not read a photo (permanent for that photo)
  'Throttled', // Throttling.* codes
  'AuthFailed', // SignatureDoesNotMatch, InvalidAccessKeyId.*, InvalidTimeStamp.*, SignatureNonceUsed
  'Timeout', // no answer within the timeout
  'Network', // connection refused/reset, DNS
  'Protocol', // a reply that is not the documented JSON (an HTML gateway page, a bad Data string)
  'DeadlineExceeded', // no time left for another attempt
  'UpstreamRejected', // any other error Code the upstream sent (InvalidVersion, MissingParameter, ...): permanent
  'Aborted', // the caller's AbortSignal fired
] as const;
export type IdvErrorCode = (typeof IDV_ERROR_CODES)[number];

export const THROTTLING_CODES = ['Throttled'] as const satisfies readonly IdvErrorCode[];
export const TRANSIENT_CODES = [
  'SystemError',
  'Processing',
  'Timeout',
  'Network',
  'Protocol',
] as const satisfies readonly IdvErrorCode[];

export const isThrottling = (code: IdvErrorCode): boolean =>
  (THROTTLING_CODES as readonly string[]).includes(code);
export const isTransient = (code: IdvErrorCode): boolean =>
  (TRANSIENT_CODES as readonly string[]).includes(code);
export const isRetryable = (code: IdvErrorCode): boolean => isThrottling(code) || isTransient(code);

export class IdvError extends Error {
  override readonly name = 'IdvError';
  readonly code: IdvErrorCode;
  /** Upstream RequestId, when the upstream answered. */
  readonly requestId: string | undefined;
  /** Upstream Code / retCode / retCodeSub as received, for the log and result.json. */
  readonly upstreamCode: string | undefined;
  /** HTTP status of the upstream reply, when there was one. */
  readonly httpStatus: number | undefined;
  /** Attempts made before giving up. */
  attempts: number;

  constructor(
    code: IdvErrorCode,
    message: string,
    options: {
      requestId?: string;
      upstreamCode?: string;
      httpStatus?: number;
      attempts?: number;
      cause?: unknown;
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.requestId = options.requestId;
    this.upstreamCode = options.upstreamCode;
    this.httpStatus = options.httpStatus;
    this.attempts = options.attempts ?? 1;
  }

  get retryable(): boolean {
    return isRetryable(this.code);
  }
}
