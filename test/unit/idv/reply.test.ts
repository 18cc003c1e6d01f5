import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdvError } from '../../../shared/idv/errors.ts';
import { parseReply, safeUpstreamMessage } from '../../../shared/idv/reply.ts';

/** The documented success reply, verbatim. */
const DOCUMENTED_OK = {
  Data: '{"passed":"true","retCode":"OK_SUCCESS","retCodeSub":"Z1140","retMessage":"Facial recognition passed (Z1140)","extInfo":{"result":"true","score":"100.0","faceAttack":"false"}}',
  Message: 'OK',
  RequestId: '0CE4BBEF-F149-490C-97CE-CBBD66E25D6C',
  Code: 200,
};

const data = (fields: Record<string, unknown>) =>
  JSON.stringify({ passed: 'true', retCode: 'OK_SUCCESS', retCodeSub: 'Z1140', retMessage: 'm', ...fields });

function thrown(body: unknown): IdvError {
  try {
    parseReply(body);
  } catch (err) {
    expect(err).toBeInstanceOf(IdvError);
    return err as IdvError;
  }
  throw new Error('parseReply did not throw');
}

describe('parseReply', () => {
  it('turns the documented success reply into a verdict', () => {
    expect(parseReply(DOCUMENTED_OK)).toEqual({
      requestId: '0CE4BBEF-F149-490C-97CE-CBBD66E25D6C',
      passed: true,
      result: true,
      score: 100,
      faceAttack: false,
      retCode: 'OK_SUCCESS',
      retCodeSub: 'Z1140',
      retMessage: 'Facial recognition passed (Z1140)',
      attempts: 1,
    });
  });

  it('accepts Data as an object, Code as a string and the raw JSON text', () => {
    const obj = { ...DOCUMENTED_OK, Code: '200', Data: JSON.parse(DOCUMENTED_OK.Data) };
    expect(parseReply(obj).score).toBe(100);
    expect(parseReply(JSON.stringify(DOCUMENTED_OK)).requestId).toBe(DOCUMENTED_OK.RequestId);
    expect(parseReply(Buffer.from(JSON.stringify(DOCUMENTED_OK))).passed).toBe(true);
  });

  it('tolerates unknown extra fields at every level', () => {
    const body = {
      ...DOCUMENTED_OK,
      Extra: 1,
      Data: data({
        newField: 'x',
        extInfo: { result: 'false', score: '54.4566324452', faceAttack: 'true', more: 1 },
      }),
    };
    const verdict = parseReply(body);
    expect(verdict).toMatchObject({ result: false, score: 54.4566324452, faceAttack: true });
  });

  it('keeps the comparison (passed) and the decision (result) apart', () => {
    const verdict = parseReply({
      ...DOCUMENTED_OK,
      Data: data({ passed: 'true', extInfo: { result: 'false', score: '90.0', faceAttack: 'true' } }),
    });
    expect(verdict.passed).toBe(true);
    expect(verdict.result).toBe(false);
  });

  it.each([
    [400, 'InvalidParameters'],
    [402, 'QuotaExceeded'],
    [403, 'NotActivated'],
    [404, 'InvalidService'],
    [500, 'SystemError'],
  ])('maps Code %s to %s with the RequestId', (code, expected) => {
    const err = thrown({ Code: code, Message: 'msg', RequestId: 'R1' });
    expect(err.code).toBe(expected);
    expect(err.requestId).toBe('R1');
  });

  it('maps the documented Z1141 reply to the permanent InvalidResourceCode', () => {
    const err = thrown({
      Data: '{"passed":"false","retCode":"SYSTEM_ERROR","retCodeSub":"Z1141","retMessage":"resourceCode value invalid"}',
      Message: 'system error',
      RequestId: '725E1B4E-3E79-4FAB-AD52-1D09297CA54C',
      Code: 500,
    });
    expect(err.code).toBe('InvalidResourceCode');
    expect(err.retryable).toBe(false);
    expect(err.upstreamCode).toBe('500/SYSTEM_ERROR/Z1141');
    expect(err.message).toContain('resourceCode value invalid');
  });

  it.each([
    ['PROCESSING', 'Processing', true],
    ['UNABLE_GET_IMAGE', 'UnableGetImage', false],
    ['SYSTEM_ERROR', 'SystemError', true],
  ])('maps Code 200 with retCode %s to %s', (retCode, expected, retryable) => {
    const err = thrown({ Code: 200, RequestId: 'R', Data: data({ passed: 'false', retCode }) });
    expect(err.code).toBe(expected);
    expect(err.retryable).toBe(retryable);
  });

  it('bills UNABLE_GET_IMAGE in a Code 200 reply, and no error Code reply', () => {
    expect(
      thrown({ Code: 200, RequestId: 'R', Data: data({ passed: 'false', retCode: 'UNABLE_GET_IMAGE' }) })
        .billing,
    ).toBe('paid');
    for (const Code of [400, 402, 403, 404, 500, 'Throttling.User', 'SignatureDoesNotMatch'])
      expect(thrown({ Code, RequestId: 'R', Message: 'm' }).billing).toBe('unbilled');
  });

  it.each([
    ['SignatureDoesNotMatch', 'AuthFailed'],
    ['InvalidAccessKeyId.NotFound', 'AuthFailed'],
    ['InvalidTimeStamp.Expired', 'AuthFailed'],
    ['SignatureNonceUsed', 'AuthFailed'],
    ['InvalidSecurityToken.Expired', 'AuthFailed'],
    ['Throttling.User', 'Throttled'],
    ['ServiceUnavailable', 'SystemError'],
    ['InvalidVersion', 'UpstreamRejected'],
  ])('maps gateway code %s to %s', (code, expected) => {
    expect(thrown({ Code: code, Message: 'm', RequestId: 'R' }).code).toBe(expected);
  });

  it.each([
    ['an HTML gateway page', '<html><body>502 Bad Gateway</body></html>'],
    ['JSON without Code', { message: 'gateway' }],
    ['null', null],
  ])('throws Protocol (possibly billed) for %s', (_name, body) => {
    const err = thrown(body);
    expect(err.code).toBe('Protocol');
    expect(err.billing).toBe('uncertain');
  });

  it.each([
    ['a Data string that is not JSON', { Code: 200, RequestId: 'R', Data: '{not json' }],
    ['OK_SUCCESS without extInfo', { Code: 200, RequestId: 'R', Data: data({}) }],
    [
      'a score out of range',
      {
        Code: 200,
        RequestId: 'R',
        Data: data({ extInfo: { result: 'true', score: '101', faceAttack: 'false' } }),
      },
    ],
    [
      'a score that is not a number',
      {
        Code: 200,
        RequestId: 'R',
        Data: data({ extInfo: { result: 'true', score: 'high', faceAttack: 'false' } }),
      },
    ],
    [
      'a boolean that is not "true"/"false"',
      { Code: 200, RequestId: 'R', Data: data({ passed: 'yes', extInfo: {} }) },
    ],
    ['an unknown retCode', { Code: 200, RequestId: 'R', Data: data({ retCode: 'SOMETHING_NEW' }) }],
    ['a Code "200" string with Data that is not JSON', { Code: '200', RequestId: 'R', Data: 'x' }],
  ])('throws Unparseable (possibly billed, not retried) with the RequestId for %s', (_name, body) => {
    const err = thrown(body);
    expect(err.code).toBe('Unparseable');
    expect(err.requestId).toBe('R');
    expect(err.billing).toBe('uncertain');
    expect(err.retryable).toBe(false);
  });

  it('classifies an error Code by the Code alone when its Data does not parse (not billed)', () => {
    const err = thrown({ Code: 500, RequestId: 'R', Data: '{broken' });
    expect(err.code).toBe('SystemError');
    expect(err.billing).toBe('unbilled');
  });

  it.each(['constructor', 'toString', '__proto__', 'valueOf.Sub'])(
    'classifies an unknown gateway Code named like an Object.prototype member (%s) as an upstream rejection',
    (code) => {
      const err = thrown({ Code: code, RequestId: 'R', Message: 'odd' });
      expect(err.code).toBe('UpstreamRejected');
    },
  );

  it.each([
    ['"54.4566324452"', '54.4566324452', 54.4566324452],
    ['E-notation below 10^-3 (Java Double.toString)', '1.0E-4', 0.0001],
    ['lower-case e with a sign', '5.2e+1', 52],
    ['an integer string', '87', 87],
    ['an unquoted decimal', 87.25, 87.25],
    ['an unquoted integer', 100, 100],
    ['zero in E-notation', '0.0E0', 0],
    ['surrounding blanks', ' 42.5 ', 42.5],
  ])('reads the score from %s', (_name, score, expected) => {
    const v = parseReply({
      Code: 200,
      RequestId: 'R',
      Data: JSON.stringify({
        passed: 'true',
        retCode: 'OK_SUCCESS',
        extInfo: { result: 'true', score, faceAttack: 'false' },
      }),
    });
    expect(v.score).toBeCloseTo(expected, 10);
  });

  it('reads a score and Code that json-bigint parsed as BigNumber (pop-core parses replies with it)', async () => {
    // json-bigint is pop-core's own dependency (no types): required the way pop-core requires it.
    const JSONbig = createRequire(import.meta.url)('json-bigint') as { parse(text: string): unknown };
    const body = JSONbig.parse(
      '{"Code":200,"RequestId":"R","Data":{"passed":true,"retCode":"OK_SUCCESS","extInfo":{"result":true,"score":54.45663244521234567891,"faceAttack":false}}}',
    );
    expect(parseReply(body).score).toBeCloseTo(54.4566324452, 8);
  });

  it("drops the gateway's echoed StringToSign (it holds every parameter, photos included)", () => {
    const echoed =
      'Specified signature is not matched with our calculation. server string to sign is:POST&%2F&AccessKeyId%3DLTAIx%26ServiceParameters%3D%257B%2522refFaceContent%2522%253A%2522%252F9j%252F4AAQ';
    const err = thrown({ Code: 'SignatureDoesNotMatch', Message: echoed, RequestId: 'R' });
    expect(err.message).toBe(
      'upstream Code SignatureDoesNotMatch: Specified signature is not matched with our calculation.',
    );
  });

  it('never echoes the body in the error message', () => {
    const secret = 'A'.repeat(300);
    const err = thrown(`<html>${secret}</html>`);
    expect(err.message).not.toContain(secret);
  });

  it('lets only IdvError escape, for any JSON value or string (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.jsonValue(), fc.string(), fc.record({ Code: fc.jsonValue(), Data: fc.jsonValue() })),
        (body) => {
          try {
            const verdict = parseReply(body);
            expect(verdict.score).toBeGreaterThanOrEqual(0);
            expect(verdict.score).toBeLessThanOrEqual(100);
          } catch (err) {
            expect(err).toBeInstanceOf(IdvError);
          }
        },
      ),
    );
  });

  it('parses every well-formed success reply back to its values (property)', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 0, max: 1000 }),
        fc.boolean(),
        (passed, result, faceAttack, tenths, dataAsObject) => {
          const fields = {
            passed: String(passed),
            retCode: 'OK_SUCCESS',
            retCodeSub: 'Z1140',
            retMessage: 'm',
            extInfo: {
              result: String(result),
              score: (tenths / 10).toFixed(1),
              faceAttack: String(faceAttack),
            },
          };
          const verdict = parseReply({
            Code: 200,
            RequestId: 'R',
            Data: dataAsObject ? fields : JSON.stringify(fields),
          });
          // A contradictory verdict (result true with passed false or an attack) is settled as not verified.
          const inconsistent = result && (!passed || faceAttack);
          expect(verdict).toMatchObject({
            passed,
            result: result && !inconsistent,
            faceAttack,
            score: tenths / 10,
          });
          expect(verdict.upstreamInconsistent).toBe(inconsistent ? true : undefined);
        },
      ),
    );
  });
});

describe('safeUpstreamMessage', () => {
  it('caps long messages at 200 characters', () => {
    expect(safeUpstreamMessage('x y '.repeat(250))).toHaveLength(203);
    expect(safeUpstreamMessage('short')).toBe('short');
  });
});
