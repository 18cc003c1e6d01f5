/**
 * `npm run check:exports`: fails when a module of shared/, functions/ or local/ exports a value (function,
 * constant, class) no other file imports (tests, scripts and benchmarks count as importers): dead code, or a
 * private helper wearing a public name. Types are not checked: an exported function's parameter and result
 * types belong to its interface even when callers never name them. The FC handlers, which the platform loads
 * by name, are listed in ENTRY_POINTS.
 * `test/unit/layout/exports.test.ts` runs it in `npm test`.
 */
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { importGraph, SOURCE_DIRS } from './check-cycles.ts';

/** Exports loaded by something other than an import: `file#name`. */
const ENTRY_POINTS: ReadonlySet<string> = new Set(
  ['rerun-batch', 'verify-http', 'verify-oss'].map((fn) => `functions/${fn}/index.ts#handler`),
);
const CHECKED_DIRS = ['shared', 'functions', 'local'];

export const unusedExports = (root: string): string[] => {
  const files = [...importGraph(root, [...SOURCE_DIRS, 'test']).keys()].map((f) => join(root, f));
  const program = ts.createProgram(files, {
    allowImportingTsExtensions: true,
    noEmit: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    skipLibCheck: true,
  });
  const checker = program.getTypeChecker();
  const used = new Set<ts.Symbol>();
  const original = (s: ts.Symbol) => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s);
  const useAll = (moduleSpecifier: ts.Expression) => {
    const target = checker.getSymbolAtLocation(moduleSpecifier);
    if (target) for (const s of checker.getExportsOfModule(target)) used.add(original(s));
  };
  for (const sf of program.getSourceFiles()) {
    if (sf.isDeclarationFile || !files.includes(sf.fileName)) continue;
    const visit = (node: ts.Node): void => {
      if (ts.isImportSpecifier(node) || ts.isExportSpecifier(node)) {
        const s = checker.getSymbolAtLocation(node.name);
        if (s) used.add(original(s));
        if (ts.isExportSpecifier(node) && node.parent.parent.moduleSpecifier === undefined) return;
      }
      if (ts.isNamespaceImport(node)) useAll(node.parent.parent.moduleSpecifier);
      if (ts.isExportDeclaration(node) && node.moduleSpecifier && !node.exportClause)
        useAll(node.moduleSpecifier);
      if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
        const [arg] = node.arguments;
        if (arg) useAll(arg);
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  const unused: string[] = [];
  for (const file of files) {
    const rel = relative(root, file);
    if (!CHECKED_DIRS.some((d) => rel.startsWith(`${d}/`))) continue;
    const sf = program.getSourceFile(file);
    const moduleSymbol = sf && checker.getSymbolAtLocation(sf);
    if (!moduleSymbol) continue;
    for (const s of checker.getExportsOfModule(moduleSymbol)) {
      const value = (original(s).flags & ts.SymbolFlags.Value) !== 0;
      if (value && !used.has(original(s)) && !ENTRY_POINTS.has(`${rel}#${s.name}`))
        unused.push(`${rel}#${s.name}`);
    }
  }
  return unused.sort();
};

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const unused = unusedExports(resolve(dirname(fileURLToPath(import.meta.url)), '..'));
  for (const u of unused) console.error(`exported but imported nowhere else: ${u}`);
  if (unused.length > 0) process.exit(1);
}
