import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { authenticate } from '../../../local/emulator/auth.ts';
import { EmulatorKeySchema } from '../../../local/emulator/config.ts';
import { createNonceStore } from '../../../local/emulator/nonces.ts';
import type { ApiRequest } from '../../../local/emulator/request.ts';
import { canonicalQuery, signRpc } from '../../../shared/idv/signature.ts';
import { formatAcs3Authorization, sha256Hex, signV3 } from '../../../shared/idv/signature-v3.ts';

const NOW_MS = Date.UTC(2026, 10, 25, 12, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const KEY = EmulatorKeySchema.parse({ accessKeyId: 'LTAIunit', accessKeySecret: 'unit-secret' });

function deps(nowMs = NOW_MS) {
  const clock = { nowMs: () => nowMs };
  return { keys: new Map([[KEY.accessKeyId, KEY]]), nonces: createNonceStore(clock, 30 * 60_000), clock };
}

function rpcParams(extra: Record<string, string> = {}, timestampMs = NOW_MS): Record<string, string> {
  return {
    Action: 'ExecuteRequest',
    Version: '2019-05-21',
    Format: 'JSON',
    AccessKeyId: KEY.accessKeyId,
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: randomUUID(),
    Timestamp: iso(timestampMs),
    ...extra,
  };
}

/** A signed RPC request, parameters in a form body (POST) or the query (GET). */
function rpcRequest(
  method: 'GET' | 'POST',
  params: Record<string, string>,
  secret = KEY.accessKeySecret,
): ApiRequest {
  const signed = { ...params, Signature: signRpc(method, params, secret) };
  const form = canonicalQuery(signed);
  return {
    method,
    path: '/',
    rawQuery: method === 'GET' ? form : '',
    query: method === 'GET' ? Object.fromEntries(new URLSearchParams(form)) : {},
    headers: method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {},
    body: method === 'POST' ? Buffer.from(form) : Buffer.alloc(0),
  };
}

function v3Request(
  query: Record<string, string>,
  body: string,
  dateMs = NOW_MS,
  secret = KEY.accessKeySecret,
): ApiRequest {
  const headers: Record<string, string> = {
    host: 'saf.example',
    'x-acs-action': 'ExecuteRequest',
    'x-acs-version': '2019-05-21',
    'x-acs-date': iso(dateMs),
    'x-acs-signature-nonce': randomUUID(),
    'x-acs-content-sha256': sha256Hex(body),
    'content-type': 'application/x-www-form-urlencoded',
  };
  const signedHeaders = Object.keys(headers);
  const signature = signV3(
    {
      method: 'POST',
      path: '/',
      query,
      headers,
      signedHeaders,
      hashedPayload: headers['x-acs-content-sha256']!,
    },
    secret,
  );
  headers.authorization = formatAcs3Authorization(KEY.accessKeyId, signedHeaders, signature);
  return { method: 'POST', path: '/', rawQuery: '', query, headers, body: Buffer.from(body) };
}

const errorOf = (r: ReturnType<typeof authenticate>) => (r.ok ? 'ok' : r.error);

describe('authenticate (RPC v1)', () => {
  it('accepts any correctly signed parameters and refuses any changed value (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<'GET' | 'POST'>('GET', 'POST'),
        fc.dictionary(
          fc
            .stringMatching(/^[A-Z][A-Za-z0-9.]{0,10}$/)
            .filter((k) => !(k in rpcParams()) && k !== 'Service'),
          fc.string({ unit: 'grapheme', maxLength: 30 }),
          {
            maxKeys: 5,
          },
        ),
        fc.string({ minLength: 1, maxLength: 5 }),
        (method, extra, suffix) => {
          const d = deps();
          const params = rpcParams({ ...extra, Service: 'intl_face_verify' });
          expect(errorOf(authenticate(rpcRequest(method, params), d))).toBe('ok');
          const tampered = rpcRequest(method, params);
          const target = method === 'GET' ? tampered.query : undefined;
          if (target) target.Service = `intl_face_verify${suffix}`;
          else
            tampered.body = Buffer.from(
              tampered.body
                .toString()
                .replace('Service=intl_face_verify', `Service=x${encodeURIComponent(suffix)}`),
            );
          expect(errorOf(authenticate(tampered, deps()))).toBe('SignatureDoesNotMatch');
        },
      ),
      { numRuns: 60 },
    );
  });

  it('refuses a request signed for GET but sent as POST', () => {
    const req = { ...rpcRequest('POST', rpcParams()), method: 'GET' };
    expect(errorOf(authenticate(req, deps()))).toBe('SignatureDoesNotMatch');
  });

  it('accepts a timestamp exactly 15 minutes off and refuses one second more, in both directions', () => {
    const m15 = 15 * 60_000;
    for (const [offset, expected] of [
      [-m15, 'ok'],
      [m15, 'ok'],
      [-m15 - 1000, 'InvalidTimeStamp.Expired'],
      [m15 + 1000, 'InvalidTimeStamp.Expired'],
    ] as const) {
      expect(errorOf(authenticate(rpcRequest('POST', rpcParams({}, NOW_MS + offset)), deps()))).toBe(
        expected,
      );
    }
  });

  it.each(['2026-11-25 12:00:00', '1732536000', '2026-11-25T12:00:00+08:00'])(
    'refuses the timestamp %j as badly formatted',
    (timestamp) => {
      expect(errorOf(authenticate(rpcRequest('POST', rpcParams({ Timestamp: timestamp })), deps()))).toBe(
        'InvalidTimeStamp.Format',
      );
    },
  );

  it('refuses the same nonce twice but not a forged request that reused it', () => {
    const d = deps();
    const params = rpcParams();
    expect(errorOf(authenticate(rpcRequest('POST', params, 'wrong-secret'), d))).toBe(
      'SignatureDoesNotMatch',
    );
    expect(errorOf(authenticate(rpcRequest('POST', params), d))).toBe('ok');
    expect(errorOf(authenticate(rpcRequest('POST', params), d))).toBe('SignatureNonceUsed');
  });

  it.each([
    'AccessKeyId',
    'SignatureNonce',
    'Timestamp',
    'Action',
    'Version',
    'SignatureVersion',
    'SignatureMethod',
  ])("refuses a request without %s as Missing<Name>, as Alibaba's gateway does", (name) => {
    const params = rpcParams();
    delete params[name];
    expect(errorOf(authenticate(rpcRequest('POST', params), deps()))).toBe(`Missing${name}`);
  });

  it.each(['2026-11-29T06:00:00.123Z', '2026-11-29T06:00:00+00:00', '2026-11-29 06:00:00Z', '1764396000'])(
    'refuses the Timestamp %s (not YYYY-MM-DDThh:mm:ssZ) as InvalidTimeStamp.Format',
    (timestamp) => {
      const req = rpcRequest('POST', rpcParams({ Timestamp: timestamp }));
      expect(errorOf(authenticate(req, deps()))).toBe('InvalidTimeStamp.Format');
    },
  );

  it('refuses another signature method', () => {
    const req = rpcRequest('POST', rpcParams({ SignatureMethod: 'HMAC-SHA256' }));
    expect(errorOf(authenticate(req, deps()))).toBe('InvalidSignatureMethod');
  });

  it('refuses an unknown key before looking at the signature', () => {
    const req = rpcRequest('POST', rpcParams({ AccessKeyId: 'LTAIother' }));
    expect(errorOf(authenticate(req, deps()))).toBe('InvalidAccessKeyId.NotFound');
  });
});

describe('authenticate (V3 ACS3-HMAC-SHA256)', () => {
  it('accepts correctly signed requests and refuses a changed query or body (property)', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.stringMatching(/^[A-Z][A-Za-z]{0,8}$/), fc.string({ maxLength: 20 }), {
          maxKeys: 4,
        }),
        fc.string({ maxLength: 40 }),
        (query, rawBody) => {
          const body = new URLSearchParams({ Service: 'intl_face_verify', Note: rawBody }).toString();
          expect(errorOf(authenticate(v3Request(query, body), deps()))).toBe('ok');
          const changedBody = { ...v3Request(query, body), body: Buffer.from(`${body}&x=1`) };
          expect(errorOf(authenticate(changedBody, deps()))).toBe('SignatureDoesNotMatch');
          const changedQuery = v3Request(query, body);
          changedQuery.query = { ...changedQuery.query, Injected: '1' };
          expect(errorOf(authenticate(changedQuery, deps()))).toBe('SignatureDoesNotMatch');
        },
      ),
      { numRuns: 60 },
    );
  });

  it('refuses an old x-acs-date and a replayed nonce', () => {
    expect(errorOf(authenticate(v3Request({}, '', NOW_MS - 16 * 60_000), deps()))).toBe(
      'InvalidTimeStamp.Expired',
    );
    const d = deps();
    const req = v3Request({}, '');
    expect(errorOf(authenticate(req, d))).toBe('ok');
    expect(errorOf(authenticate(req, d))).toBe('SignatureNonceUsed');
  });

  it('refuses a signature made with another secret', () => {
    expect(errorOf(authenticate(v3Request({}, '', NOW_MS, 'other'), deps()))).toBe('SignatureDoesNotMatch');
  });

  it('reads Action and Version from the signed headers and the parameters from query and body', () => {
    const result = authenticate(
      v3Request({ Service: 'intl_face_verify' }, 'ServiceParameters=%7B%7D'),
      deps(),
    );
    expect(result).toMatchObject({
      ok: true,
      scheme: 'v3',
      action: 'ExecuteRequest',
      version: '2019-05-21',
      params: { Service: 'intl_face_verify', ServiceParameters: '{}' },
    });
  });
});
