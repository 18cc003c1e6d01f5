import OpenApiUtilModule from '@alicloud/openapi-util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalQuery,
  percentEncode,
  signaturesEqual,
  signRpc,
  stringToSign,
} from '../../../shared/idv/signature.ts';
import {
  canonicalRequestV3,
  formatAcs3Authorization,
  parseAcs3Authorization,
  sha256Hex,
  signV3,
} from '../../../shared/idv/signature-v3.ts';

// openapi-util is CommonJS with `exports.default = Client`; Node's ESM import gives the whole exports object.
const OpenApiUtil = ((OpenApiUtilModule as unknown as { default?: unknown }).default ??
  OpenApiUtilModule) as typeof OpenApiUtilModule;

/** Alibaba's documented RPC signature example (ECS DescribeRegions, key testid/testsecret). */
const VECTOR = {
  AccessKeyId: 'testid',
  Action: 'DescribeRegions',
  Format: 'XML',
  SignatureMethod: 'HMAC-SHA1',
  SignatureNonce: '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf',
  SignatureVersion: '1.0',
  Timestamp: '2016-02-23T12:46:24Z',
  Version: '2014-05-26',
};

describe('signRpc', () => {
  it('reproduces the documented DescribeRegions signature', () => {
    expect(signRpc('GET', VECTOR, 'testsecret')).toBe('OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
  });

  it('builds the documented canonical query and StringToSign', () => {
    expect(canonicalQuery(VECTOR)).toBe(
      'AccessKeyId=testid&Action=DescribeRegions&Format=XML&SignatureMethod=HMAC-SHA1' +
        '&SignatureNonce=3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf&SignatureVersion=1.0' +
        '&Timestamp=2016-02-23T12%3A46%3A24Z&Version=2014-05-26',
    );
    expect(stringToSign('GET', VECTOR)).toMatch(/^GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions/);
  });

  it('leaves the Signature parameter out of what it signs', () => {
    expect(signRpc('GET', { ...VECTOR, Signature: 'anything' }, 'testsecret')).toBe(
      'OLeaidS1JvxuMvnyHOwuJ+uX5qY=',
    );
  });

  it('differs between GET and POST and between secrets', () => {
    const get = signRpc('GET', VECTOR, 'testsecret');
    expect(signRpc('POST', VECTOR, 'testsecret')).not.toBe(get);
    expect(signRpc('GET', VECTOR, 'testsecret2')).not.toBe(get);
  });

  it('agrees with openapi-util getRPCSignature for arbitrary parameters', () => {
    fc.assert(
      fc.property(
        // Names as APIs use them (openapi-util's flatMap chokes on names such as `__proto__`); values anything.
        fc.dictionary(fc.stringMatching(/^[A-Za-z][A-Za-z0-9.~* _-]{0,11}$/), fc.string({ maxLength: 30 }), {
          maxKeys: 8,
        }),
        fc.constantFrom('GET', 'POST'),
        fc.string({ minLength: 1, maxLength: 20 }),
        (params, method, secret) => {
          expect(signRpc(method, params, secret)).toBe(
            OpenApiUtil.getRPCSignature({ ...params }, method, secret),
          );
        },
      ),
    );
  });
});

describe('percentEncode', () => {
  it.each([
    [' ', '%20'],
    ['*', '%2A'],
    ['~', '~'],
    ['+', '%2B'],
    ['/', '%2F'],
    ["!'()", '%21%27%28%29'],
    ['-_.', '-_.'],
    ['é', '%C3%A9'],
    ['中', '%E4%B8%AD'],
    ['😀', '%F0%9F%98%80'],
    ['=&', '%3D%26'],
  ])('encodes %j as %j', (input, expected) => {
    expect(percentEncode(input)).toBe(expected);
  });

  it('encodes a lone surrogate as U+FFFD instead of throwing', () => {
    expect(percentEncode('a\uD800b')).toBe('a%EF%BF%BDb');
  });

  it('only ever emits unreserved characters and upper-case %XX escapes, and decodes back', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (s) => {
        const encoded = percentEncode(s);
        expect(encoded).toMatch(/^(?:[A-Za-z0-9\-_.~]|%[0-9A-F]{2})*$/);
        expect(decodeURIComponent(encoded)).toBe(s);
      }),
    );
  });

  it('never throws on arbitrary UTF-16', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => typeof percentEncode(s) === 'string'),
    );
  });
});

describe('canonicalQuery', () => {
  it('sorts by parameter name and is independent of insertion order', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ maxLength: 8 })),
        (params) => {
          const reversed = Object.fromEntries(Object.entries(params).reverse());
          expect(canonicalQuery(reversed)).toBe(canonicalQuery(params));
          const names = canonicalQuery(params)
            .split('&')
            .filter(Boolean)
            .map((pair) => decodeURIComponent(pair.split('=')[0]!));
          expect(names).toEqual(Object.keys(params).sort());
        },
      ),
    );
  });

  it('round-trips through URLSearchParams', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ maxLength: 8 })),
        (params) => {
          const back = Object.fromEntries(new URLSearchParams(canonicalQuery(params)));
          expect(back).toEqual({ ...params });
        },
      ),
    );
  });
});

describe('signaturesEqual', () => {
  it('is true only for identical strings', () => {
    expect(signaturesEqual('abc', 'abc')).toBe(true);
    expect(signaturesEqual('abc', 'abd')).toBe(false);
    expect(signaturesEqual('abc', 'abcd')).toBe(false);
    expect(signaturesEqual('', '')).toBe(true);
  });
});

describe('signV3 (ACS3-HMAC-SHA256)', () => {
  const headers = {
    host: 'saf.ap-southeast-1.aliyuncs.com',
    'x-acs-action': 'ExecuteRequest',
    'x-acs-version': '2019-05-21',
    'x-acs-date': '2026-01-02T03:04:05Z',
    'x-acs-signature-nonce': 'abc123',
    'x-acs-content-sha256': sha256Hex('a=b'),
    'content-type': 'application/x-www-form-urlencoded',
  };

  it('agrees with openapi-util getAuthorization', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,10}$/), fc.string({ maxLength: 20 }), {
          maxKeys: 5,
        }),
        fc.string({ minLength: 1, maxLength: 20 }),
        (query, secret) => {
          const signature = signV3(
            {
              method: 'POST',
              path: '/',
              query,
              headers,
              signedHeaders: Object.keys(headers),
              hashedPayload: headers['x-acs-content-sha256'],
            },
            secret,
          );
          const theirs = OpenApiUtil.getAuthorization(
            { pathname: '/', method: 'POST', query: { ...query }, headers } as never,
            'ACS3-HMAC-SHA256',
            headers['x-acs-content-sha256'],
            'AKID',
            secret,
          );
          expect(formatAcs3Authorization('AKID', Object.keys(headers), signature)).toBe(theirs);
        },
      ),
    );
  });

  it('lays the canonical request out as METHOD, URI, query, headers, signed names, payload hash', () => {
    const canonical = canonicalRequestV3({
      method: 'post',
      path: '/',
      query: { b: '2', a: 'x y' },
      headers: { host: ' h ', 'x-acs-date': 'd' },
      signedHeaders: ['x-acs-date', 'host'],
      hashedPayload: 'ph',
    });
    expect(canonical).toBe('POST\n/\na=x%20y&b=2\nhost:h\nx-acs-date:d\n\nhost;x-acs-date\nph');
  });

  it('parses its Authorization header and refuses other shapes', () => {
    expect(
      parseAcs3Authorization('ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=host;x-acs-date,Signature=ff'),
    ).toEqual({ accessKeyId: 'AK', signedHeaders: ['host', 'x-acs-date'], signature: 'ff' });
    expect(parseAcs3Authorization('Bearer x')).toBeUndefined();
    expect(parseAcs3Authorization('ACS3-HMAC-SHA256 Credential=AK,Signature=ff')).toBeUndefined();
    fc.assert(fc.property(fc.string(), (s) => parseAcs3Authorization(s) === undefined || s.includes('ACS3')));
  });
});

describe('signRpc fast path', () => {
  it('equals HMAC-SHA1 over stringToSign for any parameters (property)', async () => {
    const { createHmac } = await import('node:crypto');
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.string({ unit: 'binary', maxLength: 12 }),
          fc.string({ unit: 'binary', maxLength: 40 }),
          {
            maxKeys: 8,
          },
        ),
        fc.constantFrom('GET', 'POST', 'post'),
        fc.string({ minLength: 1, maxLength: 20 }),
        (params, method, secret) => {
          const reference = createHmac('sha1', `${secret}&`)
            .update(stringToSign(method, params), 'utf8')
            .digest('base64');
          expect(signRpc(method, params, secret)).toBe(reference);
        },
      ),
      { numRuns: 300 },
    );
  });
});
