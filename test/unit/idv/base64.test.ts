import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeStrictBase64, isStrictBase64 } from '../../../shared/idv/base64.ts';

describe('isStrictBase64', () => {
  it('accepts what Buffer encodes, for any bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 200 }), (b) =>
        isStrictBase64(Buffer.from(b).toString('base64')),
      ),
    );
  });

  it.each([
    ['', 'empty'],
    ['data:image/jpeg;base64,AAAA', 'a data: prefix'],
    ['AAAA\nAAAA', 'a line break'],
    ['AAAA\r\nAAAA', 'CR LF'],
    ['AA AA', 'a space'],
    ['AA=A', 'padding in the middle'],
    ['A===', 'three padding characters'],
    ['AAAAA', 'a length of 4n+1'],
    ['AA-_', 'base64url characters'],
  ])('refuses %j (%s)', (s) => {
    expect(isStrictBase64(s)).toBe(false);
  });

  it('never accepts a string with a character outside the alphabet (property)', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.string({ minLength: 1, maxLength: 1 }).filter((c) => !/[A-Za-z0-9+/=]/.test(c)),
        (s, c) => {
          expect(isStrictBase64(`${s}${c}${s}`)).toBe(false);
        },
      ),
    );
  });

  it('refuses non-canonical final bits that a regex would let through', () => {
    expect(isStrictBase64('QR==')).toBe(false);
  });
});

describe('decodeStrictBase64', () => {
  it('returns the text as given when it is canonical', () => {
    const text = Buffer.from('hello!').toString('base64');
    expect(decodeStrictBase64(text)?.base64.text).toBe(text);
  });

  it('returns the padded text when the input lacks its padding', () => {
    expect(decodeStrictBase64('/9j/4A')?.base64.text).toBe('/9j/4A==');
  });

  it('returns text equal to the bytes re-encoded, for any bytes without padding (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 200 }), (b) => {
        const decoded = decodeStrictBase64(Buffer.from(b).toString('base64').replace(/=+$/, ''));
        expect(decoded?.base64.text).toBe(Buffer.from(b).toString('base64'));
      }),
    );
  });
});
