/**
 * `npm run check:docs`: every relative link (file and `#anchor`) and every `npm run <script>` named in README.md
 * and docs/*.md must exist, so a moved file, a renamed heading or a renamed script breaks the build, not a reader.
 * `test/unit/docs/links.test.ts` runs the same check inside `npm test`.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface DocProblem {
  file: string;
  line: number;
  message: string;
}

/** README.md and every Markdown file under docs/, relative to root. */
export const docFiles = (root: string): string[] => {
  const docs = join(root, 'docs');
  const inDocs = existsSync(docs)
    ? readdirSync(docs, { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.md'))
        .map((f) => join('docs', f))
    : [];
  return ['README.md', ...inDocs.sort()];
};

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens; repeats get -1, -2, ... */
export const headingAnchors = (markdown: string): Set<string> => {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text } of proseLines(markdown)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(text);
    if (!heading?.[1]) continue;
    const base = heading[1]
      .replace(/`/g, '')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
};

/** Lines outside fenced code blocks, with their 1-based numbers. */
const proseLines = (markdown: string): { text: string; line: number }[] => {
  const out: { text: string; line: number }[] = [];
  let fenced = false;
  markdown.split('\n').forEach((text, i) => {
    if (/^\s*```/.test(text)) {
      fenced = !fenced;
      return;
    }
    if (!fenced) out.push({ text, line: i + 1 });
  });
  return out;
};

const EXTERNAL = /^(?:[a-z][a-z0-9+.-]*:|\/\/)/i;

const linkProblems = (root: string, file: string, markdown: string): DocProblem[] => {
  const problems: DocProblem[] = [];
  const here = join(root, file);
  for (const { text, line } of proseLines(markdown)) {
    const withoutCode = text.replace(/`[^`]*`/g, '');
    for (const m of withoutCode.matchAll(/\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const target = m[1] ?? '';
      if (EXTERNAL.test(target)) continue;
      const [path = '', anchor] = target.split('#', 2);
      const targetFile = path === '' ? here : resolve(dirname(here), decodeURIComponent(path));
      if (!existsSync(targetFile)) {
        problems.push({ file, line, message: `link to a missing file: ${target}` });
        continue;
      }
      if (anchor === undefined || anchor === '') continue;
      if (!targetFile.endsWith('.md') || statSync(targetFile).isDirectory()) continue;
      if (!headingAnchors(readFileSync(targetFile, 'utf8')).has(anchor)) {
        problems.push({ file, line, message: `link to a missing heading: ${target}` });
      }
    }
  }
  return problems;
};

const scriptProblems = (file: string, markdown: string, scripts: Set<string>): DocProblem[] => {
  const problems: DocProblem[] = [];
  markdown.split('\n').forEach((text, i) => {
    for (const m of text.matchAll(/\bnpm run\s+([A-Za-z0-9:_-]+)/g)) {
      const name = m[1] ?? '';
      if (!scripts.has(name))
        problems.push({ file, line: i + 1, message: `npm run ${name}: no such script` });
    }
  });
  return problems;
};

/** Every broken link and unknown `npm run` script in the project's Markdown; empty when all is well. */
export const checkDocs = (root: string): DocProblem[] => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    scripts?: Record<string, string>;
  };
  const scripts = new Set(Object.keys(pkg.scripts ?? {}));
  return docFiles(root).flatMap((file) => {
    const markdown = readFileSync(join(root, file), 'utf8');
    return [...linkProblems(root, file, markdown), ...scriptProblems(file, markdown, scripts)];
  });
};

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const problems = checkDocs(root);
  for (const p of problems)
    console.error(`${relative(process.cwd(), join(root, p.file))}:${p.line}: ${p.message}`);
  if (problems.length > 0) process.exit(1);
  console.log(`docs: ${docFiles(root).length} files, every link and npm script found`);
}
