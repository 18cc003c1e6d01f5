/** Classification of @aws-sdk/client-s3 failures into StoreError codes (data, not scattered ifs). */
import { StoreError } from './errors.ts';

const THROTTLING_NAMES = [
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'TooManyRequests',
  'RequestLimitExceeded',
] as const;
const NETWORK_CODES = [
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
] as const;
const NETWORK_NAMES = ['TimeoutError', 'RequestTimeout'] as const;

export const statusOf = (err: unknown): number | undefined =>
  (err as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;

/**
 * A 404 that means "no such object". A 404 naming NoSuchBucket (GET, PUT, LIST and DELETE carry the error
 * body) means the bucket itself is missing: a configuration error, never an absent photo. HEAD has no body,
 * so its 404 cannot tell the two apart (the S3 store asks HeadBucket once).
 */
export const isMissingObject = (err: unknown): boolean =>
  statusOf(err) === 404 && (err as { name?: unknown } | null)?.name !== 'NoSuchBucket';

const includes = (list: readonly string[], value: unknown): boolean =>
  typeof value === 'string' && list.includes(value);

/** Always throws: a StoreError whose code says whether a retry can help. */
export function mapS3Error(err: unknown, key: string, op: string): never {
  const status = statusOf(err);
  const name = (err as { name?: unknown } | null)?.name;
  const code = (err as { code?: unknown } | null)?.code;
  const label = typeof name === 'string' ? name : 'Error';
  const storeCode =
    name === 'NoSuchBucket'
      ? 'NoSuchBucket'
      : status === 429 || includes(THROTTLING_NAMES, name)
        ? 'Throttled'
        : status === 403
          ? 'AccessDenied'
          : status !== undefined && status >= 500
            ? 'Unavailable'
            : includes(NETWORK_CODES, code) || includes(NETWORK_NAMES, name)
              ? 'Network'
              : 'Unexpected';
  const what = storeCode === 'NoSuchBucket' ? 'the bucket does not exist, ' : '';
  throw new StoreError(
    storeCode,
    `object store ${op} failed: ${what}${label}${status ? ` (HTTP ${status})` : ''}`,
    {
      key,
      ...(status === undefined ? {} : { httpStatus: status }),
      cause: err,
    },
  );
}
