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

const includes = (list: readonly string[], value: unknown): boolean =>
  typeof value === 'string' && list.includes(value);

/** Always throws: a StoreError whose code says whether a retry can help. */
export function mapS3Error(err: unknown, key: string, op: string): never {
  const status = statusOf(err);
  const name = (err as { name?: unknown } | null)?.name;
  const code = (err as { code?: unknown } | null)?.code;
  const label = typeof name === 'string' ? name : 'Error';
  const storeCode =
    status === 429 || includes(THROTTLING_NAMES, name)
      ? 'Throttled'
      : status === 403
        ? 'AccessDenied'
        : status !== undefined && status >= 500
          ? 'Unavailable'
          : includes(NETWORK_CODES, code) || includes(NETWORK_NAMES, name)
            ? 'Network'
            : 'Unexpected';
  throw new StoreError(storeCode, `object store ${op} failed: ${label}${status ? ` (HTTP ${status})` : ''}`, {
    key,
    ...(status === undefined ? {} : { httpStatus: status }),
    cause: err,
  });
}
