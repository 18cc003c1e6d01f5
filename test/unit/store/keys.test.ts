import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StoreError } from '../../../shared/store/errors.ts';
import { assertValidKey, isValidKey } from '../../../shared/store/keys.ts';
import { normaliseEtag } from '../../../shared/store/types.ts';

describe('assertValidKey', () => {
  it('throws only StoreError, and accepted keys never escape or hide', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (key) => {
        try {
          assertValidKey(key);
        } catch (err) {
          expect(err).toBeInstanceOf(StoreError);
          return;
        }
        const parts = key.split('/');
        expect(parts.every((p) => p !== '' && p !== '.' && p !== '..')).toBe(true);
        expect(key.includes('\\') || key.includes('\0') || key.startsWith('/')).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts ordinary case keys, unicode included', () => {
    expect(isValidKey('cases/abc-1/ref.jpg')).toBe(true);
    expect(isValidKey('cases/客户/ref.jpg')).toBe(true);
    expect(isValidKey(`cases/a/.idv-${'a'.repeat(64)}.claim-000001.json`)).toBe(true);
  });

  it('refuses keys longer than 1023 bytes', () => {
    expect(isValidKey('a'.repeat(1023))).toBe(true);
    expect(isValidKey('é'.repeat(512))).toBe(false);
  });
});

describe('normaliseEtag', () => {
  it('strips quotes and weak markers and upper-cases', () => {
    expect(normaliseEtag('"5d41402abc4b2a76b9719d911017c592"')).toBe('5D41402ABC4B2A76B9719D911017C592');
    expect(normaliseEtag('W/"abc"')).toBe('ABC');
    expect(normaliseEtag('688A7BF4F233DC9C88A80BF985AB')).toBe('688A7BF4F233DC9C88A80BF985AB');
  });
});
