/**
 * Typed errors of the ID Verification API. Classification is data (the `as const` lists below), predicates
 * are one-liners. Every error keeps the upstream RequestId when there is one, and never photo bytes.
 */

const IDV_ERROR_CODES = [
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
  'Network', // the connection could not be made (refused, DNS, unreachable): nothing was sent
  'ConnectionLost', // the connection failed after the request may have been sent (reset, hang up): possibly paid
  'Protocol', // a reply that is not the documented JSON (an HTML gateway page, a body that is not JSON)
  'Unparseable', // a Code 200 reply whose Data cannot be read as a verdict: possibly paid, never retried
  'DeadlineExceeded', // no time left for another attempt
  'UpstreamRejected', // any other error Code the upstream sent (InvalidVersion, MissingParameter, ...): permanent
  'Aborted', // the caller's AbortSignal fired
] as const;
export type IdvErrorCode = (typeof IDV_ERROR_CODES)[number];

const THROTTLING_CODES = ['Throttled'] as const satisfies readonly IdvErrorCode[];
const TRANSIENT_CODES = [
  'SystemError',
  'Processing',
  'Timeout',
  'Network',
  'ConnectionLost',
  'Protocol',
] as const satisfies readonly IdvErrorCode[];

/**
 * Billing of an attempt, by what came back. Alibaba meters ID Verification by "Number of successful calls"
 * (https://www.alibabacloud.com/help/en/ekyc/latest/billing; docs/money-safety.md), so a reply with an error
 * Code (gateway refusals, throttling, 400/402/403/404/500) is not billed and may be retried. A Code 200 reply is
 * billed. An attempt whose outcome we cannot know (no answer in time, connection lost after sending, a reply we
 * cannot read, PROCESSING) is possibly paid: retried at most `maxUncertainRetries` times.
 */
const PAID_CODES = ['UnableGetImage'] as const satisfies readonly IdvErrorCode[];
const UNCERTAIN_CODES = [
  'Timeout',
  'ConnectionLost',
  'Protocol',
  'Unparseable',
  'Processing',
  'Aborted', // the caller gave up while the request was in flight
] as const satisfies readonly IdvErrorCode[];
export type Billing = 'unbilled' | 'paid' | 'uncertain';
const billingOf = (code: IdvErrorCode): Billing =>
  (UNCERTAIN_CODES as readonly string[]).includes(code)
    ? 'uncertain'
    : (PAID_CODES as readonly string[]).includes(code)
      ? 'paid'
      : 'unbilled';

export const isThrottling = (code: IdvErrorCode): boolean =>
  (THROTTLING_CODES as readonly string[]).includes(code);
const isTransient = (code: IdvErrorCode): boolean => (TRANSIENT_CODES as readonly string[]).includes(code);
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
  /** Attempts of this call that were certainly billed / possibly billed (see billingOf). */
  paidAttempts = 0;
  uncertainAttempts = 0;

  constructor(
    code: IdvErrorCode,
    message: string,
    options: {
      requestId?: string;
      upstreamCode?: string;
      httpStatus?: number;
      attempts?: number;
      cause?: unknown;
      /**
       * How the attempt was billed when the code alone does not say: a reply with an error Code is not a
       * successful call, so it is 'unbilled' even when its code is one that a Code 200 reply bills
       * (FaceCompare's NoFaceDetected is an HTTP 401 error Code; saf's UNABLE_GET_IMAGE comes in Code 200).
       */
      billing?: Billing;
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.requestId = options.requestId;
    this.upstreamCode = options.upstreamCode;
    this.httpStatus = options.httpStatus;
    this.attempts = options.attempts ?? 1;
    this.billingOverride = options.billing;
  }

  private readonly billingOverride: Billing | undefined;

  get retryable(): boolean {
    return isRetryable(this.code);
  }

  get billing(): Billing {
    return this.billingOverride ?? billingOf(this.code);
  }
}
