/** Errors of the object store adapters, with stable codes and a retry classification. */

const STORE_ERROR_CODES = [
  'InvalidKey', // a key that could escape the folder or that the store cannot hold
  'SymbolicLink', // fs store: the object or a folder on its path is a symbolic link (never followed)
  'Throttled', // 503 SlowDown, 429
  'Unavailable', // other 5xx
  'Network', // connection refused/reset, DNS, timeouts
  'AccessDenied', // 403
  'NoSuchBucket', // the configured bucket does not exist (a setting to fix, not an empty bucket)
  'UnsafeBucket', // the bucket's settings would let a conditional create succeed twice (OSS with versioning)
  'Unexpected', // anything else
] as const;
type StoreErrorCode = (typeof STORE_ERROR_CODES)[number];

const RETRYABLE_STORE_CODES = [
  'Throttled',
  'Unavailable',
  'Network',
] as const satisfies readonly StoreErrorCode[];

export class StoreError extends Error {
  override readonly name = 'StoreError';
  readonly code: StoreErrorCode;
  readonly key: string | undefined;
  readonly httpStatus: number | undefined;

  constructor(
    code: StoreErrorCode,
    message: string,
    options: { key?: string; httpStatus?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.key = options.key;
    this.httpStatus = options.httpStatus;
  }

  get retryable(): boolean {
    return (RETRYABLE_STORE_CODES as readonly string[]).includes(this.code);
  }
}
