import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../scripts/build.ts';
import { unusedExports } from '../../../scripts/check-exports.ts';

describe("the project's exports", () => {
  it('are each imported by some other file (shared/, functions/, local/)', () => {
    expect(unusedExports(REPO_ROOT)).toEqual([]);
  });
});

describe('unusedExports', () => {
  let root: string | undefined;
  afterEach(() => {
    if (root) rmSync(root, { recursive: true, force: true });
    root = undefined;
  });

  it('reports values no other file imports, and counts named, namespace, re-exported and dynamic imports', () => {
    root = mkdtempSync(join(tmpdir(), 'check-exports-'));
    const files: Record<string, string> = {
      'shared/a.ts': 'export const named = 1;\nexport const lonely = 2;\nexport type OnlyAType = string;\n',
      'shared/b.ts': 'export const viaNamespace = 3;\n',
      'shared/c.ts': 'export function viaReExport() {}\nexport const viaDynamic = 4;\n',
      'shared/d.ts': "export { viaReExport } from './c.ts';\n",
      'local/main.ts':
        "import { named } from '../shared/a.ts';\nimport * as b from '../shared/b.ts';\n" +
        "import { viaReExport } from '../shared/d.ts';\nexport const unused = [named, b, viaReExport];\n",
      'test/x.test.ts': "const c = await import('../shared/c.ts');\nconsole.log(c);\n",
    };
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, name)), { recursive: true });
      writeFileSync(join(root, name), text);
    }
    expect(unusedExports(root)).toEqual(['local/main.ts#unused', 'shared/a.ts#lonely']);
  });
});
