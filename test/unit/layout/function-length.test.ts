import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../scripts/build.ts';
import {
  MAX_OWN_LINES,
  measureSource,
  measureTree,
  tooLong,
} from '../../../scripts/check-function-length.ts';

describe('functions in shared/ and functions/', () => {
  it(`have at most ${MAX_OWN_LINES} lines of their own`, () => {
    const long = tooLong(measureTree(REPO_ROOT)).map((f) => `${f.file}:${f.line} ${f.name}: ${f.ownLines}`);
    expect(long).toEqual([]);
  });
});

describe('measureSource', () => {
  const lines = (n: number, text: string) => Array.from({ length: n }, () => text).join('\n');

  it('counts the lines of code of a function, not its blank lines or comments', () => {
    const source = `export function f(a: number) {\n  // a comment\n\n${lines(3, '  a += 1;')}\n  return a;\n}\n`;
    expect(measureSource('f.ts', source)).toEqual([{ file: 'f.ts', line: 1, name: 'f', ownLines: 6 }]);
  });

  it('counts a nested function once for the outer one (its first line) and its body for itself', () => {
    const source = [
      'export const factory = () => {',
      '  const x = 1;',
      '  return {',
      '    get(key: string) {',
      lines(4, '      void key;'),
      '      return x;',
      '    },',
      '    put: async () => {',
      lines(2, '      void x;'),
      '    },',
      '  };',
      '};',
    ].join('\n');
    const byName = Object.fromEntries(measureSource('f.ts', source).map((f) => [f.name, f.ownLines]));
    expect(byName).toEqual({ factory: 8, get: 7, put: 4 });
  });

  it('reports only the functions over the limit, longest first', () => {
    const fn = (name: string, n: number) => `function ${name}() {\n${lines(n, '  call();')}\n}`;
    const measured = measureSource(
      'f.ts',
      [fn('short', 78), fn('limit', 78), fn('long', 79), fn('longer', 90)].join('\n'),
    );
    expect(tooLong(measured).map((f) => [f.name, f.ownLines])).toEqual([
      ['longer', 92],
      ['long', 81],
    ]);
  });
});
