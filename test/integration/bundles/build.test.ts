import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAll, REPO_ROOT } from '../../../scripts/build.ts';
import type { BundleResult } from '../../../scripts/deploy/bundle.ts';
import { FUNCTIONS } from '../../../scripts/deploy/functions.ts';
import { resolveSYaml } from '../../../scripts/deploy/s-yaml.ts';

const doc = resolveSYaml(readFileSync(join(REPO_ROOT, 's.yaml'), 'utf8'), {
  env: { IDV_BUCKET: 'idv-cases-demo', IDV_API_KEYS: 'a'.repeat(64) },
  config: { AccountID: '1234567890123456' },
});

describe('npm run build against s.yaml', () => {
  let work: string;
  let built: BundleResult[];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'build-all-'));
    ({ built } = await buildAll({ distDir: join(work, 'dist') }));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('finds the entry of every function s.yaml deploys (a renamed entry fails here, it is not skipped)', () => {
    expect(FUNCTIONS.map((f) => f.name).sort()).toEqual(Object.keys(doc.resources).sort());
    for (const spec of FUNCTIONS) expect(existsSync(join(REPO_ROOT, spec.entry)), spec.entry).toBe(true);
    expect(built.map((b) => b.name).sort()).toEqual(FUNCTIONS.map((f) => f.name).sort());
  });

  for (const spec of FUNCTIONS) {
    it(`writes ${spec.name} where s.yaml's code and handler point`, () => {
      const props = doc.resources[spec.name]?.props;
      if (!props) throw new Error(`s.yaml has no resource ${spec.name}`);
      const result = built.find((b) => b.name === spec.name);
      if (!result) throw new Error(`${spec.name} was not built`);
      const [file, exported] = props.handler.split('.') as [string, string];
      const codeDir = join(work, props.code.replace(/^\.\//, ''));
      expect(existsSync(join(codeDir, `${file}.mjs`))).toBe(true);
      expect(result.exports).toContain(exported);
    });
  }

  it('keeps offline-only code out of every bundle', () => {
    for (const b of built) {
      const leaked = b.inputs.filter(
        (p) => p.startsWith('local/') || /@vladmandic|@tensorflow|s3rver/.test(p),
      );
      expect(leaked, b.name).toEqual([]);
    }
  });
});
