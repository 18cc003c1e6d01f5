import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bodyParams, formToRecord } from '../../../local/emulator/request.ts';

const viaUrlSearchParams = (form: string) => Object.fromEntries(new URLSearchParams(form));

describe('formToRecord', () => {
  it.each([
    ['a=1&b=2', { a: '1', b: '2' }],
    ['a=x+y&b=%2B', { a: 'x y', b: '+' }],
    ['a=%zz&b=%E4%B8%AD', { a: '%zz', b: '中' }],
    ['a&=v&&b=', { a: '', '': 'v', b: '' }],
    ['a=1&a=2', { a: '2' }],
    ['a=%C3', { a: '\uFFFD' }],
  ])('parses %j like URLSearchParams', (form, expected) => {
    expect({ ...formToRecord(form) }).toEqual(expected);
    expect({ ...formToRecord(form) }).toEqual(viaUrlSearchParams(form));
  });

  it('agrees with URLSearchParams on arbitrary input (property)', () => {
    const formChars = fc.constantFrom(
      'a',
      'b',
      '=',
      '&',
      '+',
      '%',
      '2',
      'B',
      'C',
      '3',
      'E',
      'z',
      ' ',
      '中',
      '\uD800',
    );
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: formChars, maxLength: 40 })), (raw) => {
        // What the emulator sees is always decoded from bytes, so never holds a lone surrogate.
        const form = Buffer.from(raw, 'utf8').toString('utf8');
        expect({ ...formToRecord(form) }).toEqual(viaUrlSearchParams(form));
      }),
      { numRuns: 500 },
    );
  });
});

describe('bodyParams', () => {
  const req = (type: string, body: string) => ({
    method: 'POST',
    path: '/',
    rawQuery: '',
    query: {},
    headers: { 'content-type': type },
    body: Buffer.from(body),
  });

  it('reads a form, a JSON object (non-strings as JSON) and nothing else', () => {
    expect({ ...bodyParams(req('application/x-www-form-urlencoded; charset=utf-8', 'a=1')) }).toEqual({
      a: '1',
    });
    expect({ ...bodyParams(req('application/json', '{"a":"1","b":{"c":2}}')) }).toEqual({
      a: '1',
      b: '{"c":2}',
    });
    expect(bodyParams(req('application/json', '[1]'))).toEqual({});
    expect(bodyParams(req('application/json', '{bad'))).toEqual({});
    expect(bodyParams(req('text/plain', 'a=1'))).toEqual({});
  });
});
