import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdvError, isRetryable } from '../../../shared/idv/errors.ts';
import { classifyFaceCompareCode, FACE_COMPARE_CODES } from '../../../shared/idv/face-compare-codes.ts';
import { parseFaceCompareReply } from '../../../shared/idv/face-compare-reply.ts';
import { testSeed } from '../../helpers/random.ts';

/** The SDK model's example values (FaceCompareResponseBody / FaceCompareResponseBodyResult). */
const SDK_EXAMPLE = {
  Code: '200',
  Message: 'success',
  RequestId: '4EB356FE-BB6A-5DCC-B4C5-E8051787EBA1',
  Result: { TransactionId: '08573be80f944d95ac812e019e3655a8', Passed: 'Y', FaceComparisonScore: 98 },
};

function thrown(body: unknown): IdvError {
  try {
    parseFaceCompareReply(body);
  } catch (err) {
    expect(err).toBeInstanceOf(IdvError);
    return err as IdvError;
  }
  throw new Error('parseFaceCompareReply did not throw');
}

describe('parseFaceCompareReply', () => {
  it('turns the SDK example reply into the common verdict with faceAttack null and the TransactionId', () => {
    expect(parseFaceCompareReply(SDK_EXAMPLE)).toEqual({
      requestId: '4EB356FE-BB6A-5DCC-B4C5-E8051787EBA1',
      passed: true,
      result: true,
      score: 98,
      faceAttack: null,
      retCode: '200',
      retCodeSub: '',
      retMessage: 'success',
      transactionId: '08573be80f944d95ac812e019e3655a8',
      attempts: 1,
    });
  });

  it('reads Passed N as a failed comparison, from JSON text too', () => {
    const body = JSON.stringify({
      ...SDK_EXAMPLE,
      Result: { ...SDK_EXAMPLE.Result, Passed: 'N', FaceComparisonScore: 12.5 },
    });
    expect(parseFaceCompareReply(body)).toMatchObject({
      passed: false,
      result: false,
      score: 12.5,
      faceAttack: null,
    });
  });

  it('accepts FaceCompareV2 replies (Result.ExtFaceInfo is tolerated)', () => {
    const v2 = {
      ...SDK_EXAMPLE,
      Result: { ...SDK_EXAMPLE.Result, ExtFaceInfo: { FaceQualityScore: 39.04 } },
    };
    expect(parseFaceCompareReply(v2)).toMatchObject({ passed: true, score: 98 });
  });

  it('leaves transactionId out when the API gives none', () => {
    const { TransactionId: _t, ...result } = SDK_EXAMPLE.Result;
    expect(parseFaceCompareReply({ ...SDK_EXAMPLE, Result: result })).not.toHaveProperty('transactionId');
  });

  it.each([
    ['an unquoted integer', 98, 98],
    ['a quoted decimal', '98.5', 98.5],
    ["Java's E-notation", '1.0E-4', 0.0001],
    ['a quoted integer', '0', 0],
  ])('reads the score as %s', (_name, score, expected) => {
    const body = { ...SDK_EXAMPLE, Result: { ...SDK_EXAMPLE.Result, FaceComparisonScore: score } };
    expect(parseFaceCompareReply(body).score).toBe(expected);
  });

  // Code 200 is a billed call: a Result we cannot read is possibly paid and never retried blindly.
  it.each([
    ['no Result', { ...SDK_EXAMPLE, Result: undefined }],
    ['Passed not Y/N', { ...SDK_EXAMPLE, Result: { ...SDK_EXAMPLE.Result, Passed: 'true' } }],
    ['score over 100', { ...SDK_EXAMPLE, Result: { ...SDK_EXAMPLE.Result, FaceComparisonScore: 101 } }],
    [
      'a score that is no number',
      { ...SDK_EXAMPLE, Result: { ...SDK_EXAMPLE.Result, FaceComparisonScore: 'high' } },
    ],
    ['no RequestId', { ...SDK_EXAMPLE, RequestId: undefined }],
  ])('is Unparseable (possibly paid) for a Code 200 reply with %s', (_name, body) => {
    const err = thrown(body);
    expect(err.code).toBe('Unparseable');
    expect(err.billing).toBe('uncertain');
  });

  it.each([
    ['an HTML page', '<html>502 Bad Gateway</html>'],
    ['no Code', { Message: 'x' }],
  ])('is a Protocol error for %s', (_name, body) => {
    expect(thrown(body).code).toBe('Protocol');
  });
});

/** Every code of Alibaba's "Server-side HTTP status codes" table, with the class the doors act on. */
const DOCUMENTED: ReadonlyArray<[string, number, string, boolean]> = [
  ['MissingParameter', 400, 'InvalidParameters', false],
  ['InvalidParameter', 400, 'InvalidParameters', false],
  ['TransactionIdInvalid', 400, 'InvalidParameters', false],
  ['Forbidden.ExceptionRepeatedInvoke', 401, 'UpstreamRejected', false],
  ['UnqualifiedPhoto', 401, 'UnableGetImage', false],
  ['DataDuplication', 401, 'InvalidParameters', false],
  ['ToolargeImage', 401, 'UnableGetImage', false],
  ['DownloadTimeout', 401, 'SystemError', true],
  ['NoFaceDetected', 401, 'UnableGetImage', false],
  ['Forbidden.RAMUserAccessDenied', 403, 'AuthFailed', false],
  ['Forbidden.AccountAccessDenied', 403, 'NotActivated', false],
  ['Throttling.Api', 403, 'Throttled', true],
  ['ProcessNotCompleted', 404, 'UpstreamRejected', false],
  ['SuspiciousActivity', 429, 'Throttled', true],
  ['InternalError', 500, 'SystemError', true],
  ['ServiceUnavailable', 503, 'SystemError', true],
  // POP gateway codes in front of every API
  ['SignatureDoesNotMatch', 400, 'AuthFailed', false],
  ['InvalidAccessKeyId.NotFound', 404, 'AuthFailed', false],
  ['InvalidAccessKeyId.Inactive', 400, 'AuthFailed', false],
  ['InvalidTimeStamp.Format', 400, 'AuthFailed', false],
  ['MissingSignatureVersion', 400, 'UpstreamRejected', false],
  ['InvalidApi.NotFound', 404, 'UpstreamRejected', false],
  ['Throttling.User', 400, 'Throttled', true],
];

describe('FaceCompare reply mapping table', () => {
  it('covers every code of the documented table', () => {
    const documented = DOCUMENTED.filter(([, status]) => status !== 0).map(([c]) => c);
    for (const code of Object.keys(FACE_COMPARE_CODES)) expect(documented).toContain(code);
  });

  it.each(DOCUMENTED)('%s (HTTP %i) -> %s, retried: %s', (code, status, expected, retried) => {
    const err = thrown({ Code: code, Message: 'm', RequestId: 'R-1' });
    expect(err.code).toBe(expected);
    expect(err.retryable).toBe(retried);
    expect(err.requestId).toBe('R-1');
    // An error Code is not a successful call: never billed, even when it maps to a code saf bills.
    expect(err.billing).toBe('unbilled');
    expect(err.upstreamCode).toBe(code);
    if (code in FACE_COMPARE_CODES) {
      expect(FACE_COMPARE_CODES[code as keyof typeof FACE_COMPARE_CODES].status).toBe(status);
    }
  });

  it('never retries an unknown code', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Z][A-Za-z]{2,20}(\.[A-Za-z]{2,12})?$/), (code) => {
        fc.pre(!(code in FACE_COMPARE_CODES));
        const family = code.split('.')[0];
        fc.pre(
          !['Throttling', 'ServiceUnavailable', 'InternalError', 'ServiceTimeout'].includes(family ?? ''),
        );
        expect(isRetryable(classifyFaceCompareCode(code))).toBe(false);
      }),
      { seed: testSeed(), numRuns: 300 },
    );
  });
});

describe('parseFaceCompareReply on any body', () => {
  const json = fc.jsonValue();
  const replyLike = fc.record(
    {
      Code: fc.oneof(fc.constantFrom('200', ...DOCUMENTED.map(([c]) => c)), fc.string(), fc.integer()),
      Message: fc.oneof(fc.string(), fc.constant(undefined)),
      RequestId: fc.oneof(fc.uuid(), fc.constant(undefined)),
      Result: fc.oneof(
        fc.record({
          TransactionId: fc.oneof(fc.stringMatching(/^[0-9a-f]{1,32}$/), fc.constant(undefined)),
          Passed: fc.constantFrom('Y', 'N', 'y', 'true', ''),
          FaceComparisonScore: fc.oneof(fc.double({ min: -10, max: 110, noNaN: true }), fc.string()),
        }),
        json,
      ),
    },
    { requiredKeys: [] },
  );

  it('gives exactly one verdict or one IdvError, never anything else', () => {
    fc.assert(
      fc.property(fc.oneof(replyLike, json, fc.string()), (body) => {
        let verdict: unknown;
        let error: unknown;
        try {
          verdict = parseFaceCompareReply(body);
        } catch (err) {
          error = err;
        }
        expect(verdict === undefined).not.toBe(error === undefined);
        if (error !== undefined) expect(error).toBeInstanceOf(IdvError);
        else expect(verdict).toMatchObject({ faceAttack: null });
      }),
      { seed: testSeed(), numRuns: 500 },
    );
  });
});
