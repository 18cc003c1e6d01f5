/**
 * Authentication of an API request under either scheme Alibaba's clients use:
 * - RPC signature v1 (pop-core, openapi-client doRPCRequest, the Java/Python/Go SDKs): parameters in the query
 *   and/or a form body, `Signature` = HMAC-SHA1 over the canonical query of all of them;
 * - V3 `ACS3-HMAC-SHA256` (openapi-client callApi): `Authorization` header over the canonical request, the body
 *   bound by `x-acs-content-sha256`.
 * Checks, in order: key known (404), SecurityToken, Timestamp within 15 minutes, signature (constant time),
 * then the nonce (remembered only once the signature is valid, so forged requests cannot burn nonces).
 */
import type { Clock } from '../../shared/clock.ts';
import { signaturesEqual, signRpc, stringToSign } from '../../shared/idv/signature.ts';
import { parseAcs3Authorization, sha256Hex, signV3 } from '../../shared/idv/signature-v3.ts';
import { type EmulatorKeyConfig, TIMESTAMP_SKEW_MS } from './config.ts';
import type { NonceStore } from './nonces.ts';
import type { GatewayErrorCode } from './replies.ts';
import { type ApiRequest, bodyParams } from './request.ts';

type AuthResult =
  | {
      ok: true;
      scheme: 'rpc' | 'v3';
      key: EmulatorKeyConfig;
      action: string;
      version: string;
      /** All API parameters (query and body), signature fields included. */
      params: Record<string, string>;
    }
  | { ok: false; error: GatewayErrorCode; detail?: string; accessKeyId?: string };

interface AuthDeps {
  keys: ReadonlyMap<string, EmulatorKeyConfig>;
  nonces: NonceStore;
  clock: Clock;
}

/** V3 headers that must be signed. */
const V3_REQUIRED_SIGNED = ['host', 'x-acs-action', 'x-acs-version', 'x-acs-date', 'x-acs-signature-nonce'];
/** `YYYY-MM-DDThh:mm:ssZ` exactly, as Alibaba's gateway requires (no fraction, no offset). */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
/** Common parameters of an RPC request, each refused as Missing<Name> when absent. */
const RPC_REQUIRED = [
  'AccessKeyId',
  'Action',
  'Version',
  'SignatureMethod',
  'SignatureVersion',
  'SignatureNonce',
  'Timestamp',
  'Signature',
] as const;

export function authenticate(request: ApiRequest, deps: AuthDeps): AuthResult {
  const authorization = request.headers.authorization;
  if (authorization?.startsWith('ACS3-')) return authenticateV3(request, authorization, deps);
  return authenticateRpc(request, deps);
}

function authenticateRpc(request: ApiRequest, deps: AuthDeps): AuthResult {
  const fromBody = bodyParams(request);
  // A name both in the query and in the body would be signed once but could be read twice: refuse it.
  const twice = Object.keys(fromBody).find((name) => name in request.query);
  if (twice) return { ok: false, error: 'SignatureDoesNotMatch', detail: `(${twice} sent twice)` };
  const params = { ...request.query, ...fromBody };
  for (const name of RPC_REQUIRED) {
    if (!params[name]) return { ok: false, error: `Missing${name}`, accessKeyId: params.AccessKeyId };
  }
  const accessKeyId = params.AccessKeyId!;
  if (params.SignatureMethod !== 'HMAC-SHA1' || params.SignatureVersion !== '1.0') {
    return { ok: false, error: 'InvalidSignatureMethod', accessKeyId };
  }
  const common = checkKeyTokenTime(deps, accessKeyId, params.SecurityToken, params.Timestamp!);
  if (!common.ok) return common;
  const expected = signRpc(request.method, params, common.key.accessKeySecret);
  if (!signaturesEqual(expected, params.Signature!)) {
    // Alibaba's gateway echoes its StringToSign so callers can debug their signing code; so does the emulator.
    const detail = `server string to sign is:${stringToSign(request.method, params)}`;
    return { ok: false, error: 'SignatureDoesNotMatch', detail, accessKeyId };
  }
  if (!deps.nonces.claim(accessKeyId, params.SignatureNonce!)) {
    return { ok: false, error: 'SignatureNonceUsed', accessKeyId };
  }
  return {
    ok: true,
    scheme: 'rpc',
    key: common.key,
    action: params.Action!,
    version: params.Version!,
    params,
  };
}

function authenticateV3(request: ApiRequest, authorization: string, deps: AuthDeps): AuthResult {
  const auth = parseAcs3Authorization(authorization);
  if (!auth) return { ok: false, error: 'IncompleteSignature' };
  const { accessKeyId } = auth;
  const h = request.headers;
  const signed = new Set(auth.signedHeaders.map((s) => s.toLowerCase()));
  const unsigned = Object.keys(h).filter((name) => name.startsWith('x-acs-') && !signed.has(name));
  const missing = [...V3_REQUIRED_SIGNED, 'x-acs-content-sha256'].filter(
    (name) => !signed.has(name) || !h[name],
  );
  if (missing.length > 0 || unsigned.length > 0) {
    return {
      ok: false,
      error: 'IncompleteSignature',
      detail: `(${[...missing, ...unsigned].join(',')})`,
      accessKeyId,
    };
  }
  if (h['x-acs-accesskey-id'] && h['x-acs-accesskey-id'] !== accessKeyId) {
    return { ok: false, error: 'SignatureDoesNotMatch', accessKeyId };
  }
  const common = checkKeyTokenTime(deps, accessKeyId, h['x-acs-security-token'], h['x-acs-date']!);
  if (!common.ok) return common;
  const hashedPayload = sha256Hex(request.body);
  const expected = signV3(
    {
      method: request.method,
      path: request.path,
      query: request.query,
      headers: h,
      signedHeaders: [...signed],
      hashedPayload,
    },
    common.key.accessKeySecret,
  );
  // The body is bound through x-acs-content-sha256: it must be the hash of what actually arrived.
  const bodyMatches = signaturesEqual(hashedPayload, (h['x-acs-content-sha256'] ?? '').toLowerCase());
  if (!signaturesEqual(expected, auth.signature.toLowerCase()) || !bodyMatches) {
    return { ok: false, error: 'SignatureDoesNotMatch', accessKeyId };
  }
  if (!deps.nonces.claim(accessKeyId, h['x-acs-signature-nonce']!)) {
    return { ok: false, error: 'SignatureNonceUsed', accessKeyId };
  }
  const params = { ...request.query, ...bodyParams(request) };
  return {
    ok: true,
    scheme: 'v3',
    key: common.key,
    action: h['x-acs-action']!,
    version: h['x-acs-version']!,
    params,
  };
}

type Common = { ok: true; key: EmulatorKeyConfig } | Extract<AuthResult, { ok: false }>;

function checkKeyTokenTime(
  deps: AuthDeps,
  accessKeyId: string,
  securityToken: string | undefined,
  timestamp: string,
): Common {
  const key = deps.keys.get(accessKeyId);
  if (!key) return { ok: false, error: 'InvalidAccessKeyId.NotFound', accessKeyId };
  if (!key.enabled) return { ok: false, error: 'InvalidAccessKeyId.Inactive', accessKeyId };
  if (key.securityToken !== undefined) {
    if (!securityToken) return { ok: false, error: 'MissingSecurityToken', accessKeyId };
    if (!signaturesEqual(key.securityToken, securityToken)) {
      return { ok: false, error: 'InvalidSecurityToken.MismatchWithAccessKey', accessKeyId };
    }
  }
  if (!TIMESTAMP.test(timestamp)) return { ok: false, error: 'InvalidTimeStamp.Format', accessKeyId };
  const skewMs = Math.abs(deps.clock.nowMs() - Date.parse(timestamp));
  if (!(skewMs <= TIMESTAMP_SKEW_MS)) return { ok: false, error: 'InvalidTimeStamp.Expired', accessKeyId };
  return { ok: true, key };
}
