import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { endsEarly } from '../../../local/engine/decode.ts';

const image = (format: 'jpeg' | 'png' | 'webp') =>
  sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 90, b: 40 } } })
    [format]()
    .toBuffer();

describe('endsEarly', () => {
  for (const format of ['jpeg', 'png', 'webp'] as const) {
    it(`is false for a complete ${format} and true when it is cut in half`, async () => {
      const whole = await image(format);
      expect(endsEarly(whole)).toBe(false);
      expect(endsEarly(whole.subarray(0, Math.floor(whole.length / 2)))).toBe(true);
    });
  }

  it('is false for bytes of no known container', () => {
    expect(endsEarly(Buffer.from('plain text, not an image'))).toBe(false);
  });
});
