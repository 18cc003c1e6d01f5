/**
 * RPC signature v1.0 (HMAC-SHA1), the scheme of @alicloud/pop-core and openapi-client's doRPCRequest.
 * StringToSign = METHOD + "&" + percentEncode("/") + "&" + percentEncode(canonicalQuery(params without Signature)),
 * key = AccessKeySecret + "&", Signature = base64(HMAC-SHA1(key, StringToSign)).
 * Verified against pop-core 1.8.0 lib/rpc.js (its `encode`, `normalize`, `canonicalize`) and the documented
 * DescribeRegions vector in DESIGN.md (a unit test).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type RpcParams = Readonly<Record<string, string>>;

/**
 * RFC 3986 percent-encoding as Alibaba's gateways expect: UTF-8 bytes, unreserved A-Z a-z 0-9 - _ . ~ kept,
 * everything else %XX upper case (so space is %20, `*` is %2A, `~` stays). A lone surrogate (not valid
 * UTF-16) is encoded as U+FFFD, as Node writes it to the wire, instead of throwing like encodeURIComponent.
 */
export function percentEncode(value: string): string {
  let encoded: string;
  try {
    encoded = encodeURIComponent(value);
  } catch {
    encoded = encodeURIComponent(Buffer.from(value, 'utf8').toString('utf8'));
  }
  return encoded.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Parameters sorted by name (code-unit order, as pop-core sorts), each `encode(name)=encode(value)`, joined by `&`. */
export function canonicalQuery(params: RpcParams): string {
  return Object.keys(params)
    .sort()
    .map((key) => `${percentEncode(key)}=${percentEncode(params[key] ?? '')}`)
    .join('&');
}

/** The RPC v1 StringToSign. The `Signature` parameter itself, when present, is left out as the spec says. */
export function stringToSign(method: string, params: RpcParams): string {
  const { Signature: _signature, ...signed } = params;
  return `${method.toUpperCase()}&${percentEncode('/')}&${percentEncode(canonicalQuery(signed))}`;
}

/** base64(HMAC-SHA1(secret + "&", stringToSign(method, params))). */
export function signRpc(method: string, params: RpcParams, secret: string): string {
  return createHmac('sha1', `${secret}&`).update(stringToSign(method, params), 'utf8').digest('base64');
}

/** Compares two signatures in constant time (for equal lengths; a length difference is not secret). */
export function signaturesEqual(expected: string, received: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(received, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
