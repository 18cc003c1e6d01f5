import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../scripts/build.ts';
import { checkDocs, docFiles, headingAnchors } from '../../../scripts/check-docs.ts';

describe('the project documentation', () => {
  it('has no broken relative link and names only npm scripts that exist', () => {
    expect(checkDocs(REPO_ROOT)).toEqual([]);
  });

  it('covers README.md and the topic pages in docs/', () => {
    const files = docFiles(REPO_ROOT);
    for (const page of [
      'README.md',
      'docs/http-api.md',
      'docs/configuration.md',
      'docs/bucket-door.md',
      'docs/reruns.md',
      'docs/emulator.md',
      'docs/face-engine.md',
      'docs/benchmarks.md',
      'docs/deploy.md',
      'docs/architecture.md',
    ]) {
      expect(files).toContain(page);
    }
  });

  it('keeps the README a front page: at most 250 lines, the two commands first, a table of contents', () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    expect(readme.split('\n').length).toBeLessThanOrEqual(250);
    const firstBlock = readme.slice(readme.indexOf('```'), readme.indexOf('```', readme.indexOf('```') + 3));
    expect(firstBlock).toContain('npm ci && npm start');
    expect(firstBlock).toContain('npm ci && npm test');
    expect(readme).toContain('## Contents');
  });
});

describe('checkDocs', () => {
  let root: string | undefined;
  afterEach(() => {
    if (root) rmSync(root, { recursive: true, force: true });
    root = undefined;
  });

  const project = (files: Record<string, string>): string => {
    root = mkdtempSync(join(tmpdir(), 'check-docs-'));
    mkdirSync(join(root, 'docs'));
    writeFileSync(join(root, 'package.json'), JSON.stringify({ scripts: { start: 'x', 'bench:http': 'y' } }));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(root, name), text);
    return root;
  };

  it('reports a link to a missing file, a missing heading and an unknown npm script, with their lines', () => {
    const dir = project({
      'README.md':
        '# T\n\nsee [gone](docs/gone.md)\nand [a](docs/a.md#nowhere)\n\n```sh\nnpm run bench:nope\n```\n',
      'docs/a.md': '# A\n\n## Real heading\n',
    });
    expect(checkDocs(dir)).toEqual([
      { file: 'README.md', line: 3, message: 'link to a missing file: docs/gone.md' },
      { file: 'README.md', line: 4, message: 'link to a missing heading: docs/a.md#nowhere' },
      { file: 'README.md', line: 7, message: 'npm run bench:nope: no such script' },
    ]);
  });

  it('accepts existing files, headings in the same or another page, scripts and external links', () => {
    const dir = project({
      'README.md':
        '# T\n\n## Two words\n\n[x](#two-words) [y](docs/a.md#real-heading) [z](https://example.com/nope)\n`npm run bench:http`\n',
      'docs/a.md': '# A\n\n## Real heading\n\n[back](../README.md#t)\n',
    });
    expect(checkDocs(dir)).toEqual([]);
  });

  it('ignores links inside code blocks and inline code', () => {
    const dir = project({ 'README.md': '# T\n\n```md\n[a](missing.md)\n```\n\n`[b](missing.md)`\n' });
    expect(checkDocs(dir)).toEqual([]);
  });
});

describe('headingAnchors', () => {
  it('derives anchors as GitHub does: code marks and punctuation dropped, repeats numbered', () => {
    const anchors = headingAnchors(
      '# s.yaml\n## What `npm run build` produces\n## Notes\n## Notes\n```\n# not a heading\n```\n',
    );
    expect([...anchors]).toEqual(['syaml', 'what-npm-run-build-produces', 'notes', 'notes-1']);
  });
});
