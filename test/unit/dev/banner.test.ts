import { describe, expect, it } from 'vitest';
import { bannerText } from '../../../local/dev/banner.ts';

describe('npm start banner', () => {
  it('puts every piece line under "Local stack ready" and each Try section after them', () => {
    const text = bannerText([
      { lines: ['  Emulator:         http://e'] },
      { lines: ['  HTTP function:    http://h'], tryIt: ['Try it:', '  curl http://h'] },
      { lines: ['  Bucket folder:    /b'], tryIt: ['Try the bucket door:', '  cp x /b'] },
      { lines: ['  Rerun timer:      every 60 s'] },
    ]).split('\n');
    const at = (s: string) => text.findIndex((l) => l.startsWith(s));
    const ready = at('Local stack ready');
    const firstTry = at('Try');
    for (const line of ['  Emulator:', '  HTTP function:', '  Bucket folder:', '  Rerun timer:']) {
      expect(at(line)).toBeGreaterThan(ready);
      expect(at(line)).toBeLessThan(firstTry);
    }
    expect(at('  curl')).toBe(at('Try it:') + 1);
    expect(at('  cp x')).toBe(at('Try the bucket door:') + 1);
    expect(text.at(-1)).toBe('Press Ctrl-C to stop.');
  });
});
