/**
 * `npm run check:function-length`: fails when a function in shared/ or functions/ has more than 80 lines of its
 * own. A line is the function's own when one of its tokens stands on it and that token is not inside a function
 * nested in it (a nested function's first line counts for the outer one, its body for itself): blank lines and
 * comments do not count, and a factory of small methods is measured method by method.
 * `test/unit/layout/function-length.test.ts` runs it in `npm test`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const MEASURED_DIRS = ['shared', 'functions'] as const;
export const MAX_OWN_LINES = 80;

export interface FunctionLength {
  file: string;
  /** 1-based line of the function's first token. */
  line: number;
  name: string;
  ownLines: number;
}

const isFunctionLike = (node: ts.Node): node is ts.SignatureDeclaration =>
  ts.isFunctionDeclaration(node) ||
  ts.isFunctionExpression(node) ||
  ts.isArrowFunction(node) ||
  ts.isMethodDeclaration(node) ||
  ts.isConstructorDeclaration(node) ||
  ts.isGetAccessorDeclaration(node) ||
  ts.isSetAccessorDeclaration(node);

const nameOf = (node: ts.SignatureDeclaration, source: ts.SourceFile): string => {
  if (node.name) return node.name.getText(source);
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  const parent = node.parent;
  if ((ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) && parent.name)
    return parent.name.getText(source);
  return '(anonymous)';
};

/** Own lines of every function in one file's text. */
export function measureSource(file: string, text: string): FunctionLength[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const lineOf = (pos: number) => source.getLineAndCharacterOfPosition(pos).line;
  const own = new Map<ts.Node, Set<number>>();
  const mark = (owner: ts.Node | undefined, from: number, to: number) => {
    if (!owner) return;
    const lines = own.get(owner) ?? new Set<number>();
    own.set(owner, lines);
    for (let l = from; l <= to; l += 1) lines.add(l);
  };
  const visit = (node: ts.Node, owner: ts.Node | undefined): void => {
    const start = lineOf(node.getStart(source));
    const end = lineOf(Math.max(node.getStart(source), node.getEnd() - 1));
    if (isFunctionLike(node)) {
      mark(owner, start, start);
      mark(node, start, start);
      mark(node, end, end);
      ts.forEachChild(node, (child) => visit(child, node));
      return;
    }
    const children: ts.Node[] = [];
    ts.forEachChild(node, (child) => {
      children.push(child);
    });
    if (children.length === 0) mark(owner, start, end);
    else {
      mark(owner, start, start);
      mark(owner, end, end);
      for (const child of children) visit(child, owner);
    }
  };
  ts.forEachChild(source, (child) => visit(child, undefined));
  return [...own.entries()].map(([node, lines]) => ({
    file,
    line: lineOf(node.getStart(source)) + 1,
    name: nameOf(node as ts.SignatureDeclaration, source),
    ownLines: lines.size,
  }));
}

export function measureTree(root: string, dirs: readonly string[] = MEASURED_DIRS): FunctionLength[] {
  return dirs
    .filter((d) => existsSync(join(root, d)))
    .flatMap((d) =>
      readdirSync(join(root, d), { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.ts') && !f.split(/[\\/]/).includes('node_modules'))
        .map((f) => join(d, f)),
    )
    .sort()
    .flatMap((file) => measureSource(file, readFileSync(join(root, file), 'utf8')));
}

export const tooLong = (lengths: FunctionLength[], max = MAX_OWN_LINES): FunctionLength[] =>
  lengths.filter((f) => f.ownLines > max).sort((a, b) => b.ownLines - a.ownLines);

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(fileURLToPath(import.meta.url), '../..');
  const long = tooLong(measureTree(root));
  for (const f of long) console.log(`${f.file}:${f.line} ${f.name}: ${f.ownLines} lines of its own`);
  if (long.length > 0) {
    console.error(`${long.length} function(s) over ${MAX_OWN_LINES} lines of their own`);
    process.exitCode = 1;
  } else console.log(`no function in ${MEASURED_DIRS.join('/, ')}/ over ${MAX_OWN_LINES} lines of its own`);
}
