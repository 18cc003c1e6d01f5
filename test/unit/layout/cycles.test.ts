import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../scripts/build.ts';
import { findCycles, importGraph } from '../../../scripts/check-cycles.ts';

describe("the project's imports", () => {
  it('form no cycle in shared/, functions/, local/, scripts/ or bench/', () => {
    expect(findCycles(importGraph(REPO_ROOT))).toEqual([]);
  });
});

describe('the environment', () => {
  it('is read only by shared/config.ts in shared/, functions/ and local/', () => {
    const readers = [...importGraph(REPO_ROOT, ['shared', 'functions', 'local']).keys()].filter((file) =>
      /\bprocess\.env\b/.test(readFileSync(join(REPO_ROOT, file), 'utf8')),
    );
    expect(readers).toEqual(['shared/config.ts']);
  });
});

describe('findCycles over importGraph', () => {
  let root: string | undefined;
  afterEach(() => {
    if (root) rmSync(root, { recursive: true, force: true });
    root = undefined;
  });
  const project = (files: Record<string, string>): string => {
    root = mkdtempSync(join(tmpdir(), 'check-cycles-'));
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, name)), { recursive: true });
      writeFileSync(join(root, name), text);
    }
    return root;
  };

  it('finds a cycle made of a type-only import, a re-export and a dynamic import', () => {
    const dir = project({
      'shared/a.ts': "import type { B } from './b.ts';\nexport type A = B;\n",
      'shared/b.ts': "export { c } from './sub/c.ts';\nexport type B = string;\n",
      'shared/sub/c.ts': "export const c = () => import('../a.ts');\n",
      'shared/d.ts': "import { c } from './sub/c.ts';\nexport const d = c;\n",
    });
    expect(findCycles(importGraph(dir, ['shared']))).toEqual([
      ['shared/a.ts', 'shared/b.ts', 'shared/sub/c.ts'],
    ]);
  });

  it('finds nothing when the imports form a tree, and ignores packages', () => {
    const dir = project({
      'shared/a.ts': "import { z } from 'zod';\nimport { b } from './b.ts';\nexport const a = [z, b];\n",
      'shared/b.ts': "import { c } from './c.ts';\nexport const b = c;\n",
      'shared/c.ts': 'export const c = 1;\n',
    });
    expect(findCycles(importGraph(dir, ['shared']))).toEqual([]);
  });
});
