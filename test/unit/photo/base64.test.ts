import { describe, expect, it } from 'vitest';
import { decodePhotoBase64Text } from '../../../shared/photo/base64.ts';
import { PhotoError } from '../../../shared/photo/errors.ts';

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err instanceof PhotoError ? err.code : 'not a PhotoError';
  }
};

describe('decodePhotoBase64Text', () => {
  it('refuses characters outside the base64 alphabet instead of skipping them', () => {
    expect(codeOf(() => decodePhotoBase64Text('abc$def=', 'ref', 100).bytes)).toBe('photo_not_base64');
  });

  it('refuses an empty string and a bare data: prefix as photo_empty', () => {
    expect(codeOf(() => decodePhotoBase64Text('', 'ref', 100).bytes)).toBe('photo_empty');
    expect(codeOf(() => decodePhotoBase64Text('data:image/png;base64,', 'ref', 100).bytes)).toBe(
      'photo_empty',
    );
  });

  it('refuses a photo over the limit before decoding it', () => {
    expect(codeOf(() => decodePhotoBase64Text('A'.repeat(4000), 'ref', 100).bytes)).toBe('photo_too_large');
  });

  it('accepts base64 without padding', () => {
    expect(
      decodePhotoBase64Text('/9j/4A', 'ref', 100).bytes.equals(Buffer.from([0xff, 0xd8, 0xff, 0xe0])),
    ).toBe(true);
  });

  it('returns the canonical text without the data: prefix and line breaks', () => {
    const text = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]).toString('base64');
    const wrapped = `data:image/jpeg;base64,${text.slice(0, 4)}\r\n${text.slice(4)}`;
    expect(decodePhotoBase64Text(wrapped, 'ref', 100).base64.text).toBe(text);
  });
});
