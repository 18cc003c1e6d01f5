/**
 * Maps what the upstream (or the network) said to our stable IdvErrorCode. Classification is data: the tables
 * below, one lookup each. The documented `Code`s of ExecuteRequest are numbers (200/400/402/403/404/500);
 * the POP gateway in front of every Alibaba API answers its own failures with string codes
 * (SignatureDoesNotMatch, InvalidAccessKeyId.NotFound, Throttling.User, ...).
 */
import { own } from '../own.ts';
import type { IdvErrorCode } from './errors.ts';

/** The documented numeric `Code`s of ExecuteRequest (as strings: pop-core gives numbers, some gateways strings). */
const NUMERIC_CODES: Readonly<Record<string, IdvErrorCode>> = {
  '400': 'InvalidParameters',
  '402': 'QuotaExceeded',
  '403': 'NotActivated',
  '404': 'InvalidService',
  '500': 'SystemError',
};

/** Gateway codes, matched on the part before the first dot (`InvalidAccessKeyId.NotFound` -> `InvalidAccessKeyId`). */
const GATEWAY_CODE_FAMILIES: Readonly<Record<string, IdvErrorCode>> = {
  SignatureDoesNotMatch: 'AuthFailed',
  InvalidAccessKeyId: 'AuthFailed',
  InvalidTimeStamp: 'AuthFailed',
  SignatureNonceUsed: 'AuthFailed',
  InvalidSecurityToken: 'AuthFailed',
  MissingSecurityToken: 'AuthFailed',
  IncompleteSignature: 'AuthFailed',
  InvalidSignatureMethod: 'AuthFailed',
  Forbidden: 'AuthFailed',
  Throttling: 'Throttled',
  ServiceUnavailable: 'SystemError',
  InternalError: 'SystemError',
  ServiceTimeout: 'SystemError',
};

/** The retCodeSub of a permanent SYSTEM_ERROR: the resourceCode is not one the service knows. */
const INVALID_RESOURCE_CODE_SUB = 'Z1141';

export function classifyUpstreamCode(code: string, retCodeSub?: string): IdvErrorCode {
  if (retCodeSub === INVALID_RESOURCE_CODE_SUB) return 'InvalidResourceCode';
  const numeric = own(NUMERIC_CODES, code);
  if (numeric) return numeric;
  const family = code.split('.')[0] ?? code;
  return own(GATEWAY_CODE_FAMILIES, family) ?? (/^5\d\d$/.test(code) ? 'SystemError' : 'UpstreamRejected');
}

/** Node socket error codes that mean "no connection was made": nothing was sent, so nothing was billed. */
const NETWORK_ERROR_CODES = [
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
] as const;

/**
 * A transport failure thrown by pop-core/httpx (no upstream body): httpx names its timeouts
 * `RequestTimeoutError` (both the connect and the read timer); a body that is not JSON makes pop-core's
 * json-bigint throw a plain object `{name: 'SyntaxError', message, at, text}` (not an Error, and `text` is the
 * whole body, so never keep it).
 */
export function classifyTransportError(err: unknown): IdvErrorCode {
  const e = (err ?? {}) as { name?: unknown; code?: unknown; message?: unknown };
  if (e.name === 'AbortError') return 'Aborted';
  if (e.name === 'RequestTimeoutError') return 'Timeout';
  if (e.name === 'SyntaxError') return 'Protocol';
  if (typeof e.code === 'string' && (NETWORK_ERROR_CODES as readonly string[]).includes(e.code))
    return 'Network';
  if (typeof e.message === 'string' && /ECONNREFUSED|ENOTFOUND|EAI_AGAIN/.test(e.message)) return 'Network';
  // Anything else (ECONNRESET, EPIPE, socket hang up, ETIMEDOUT, ...) may have happened after the request left.
  return 'ConnectionLost';
}
