/**
 * `npm run check:cycles`: fails when the project's own modules import each other in a circle (type-only imports
 * count: a cycle of types still ties two files together). `test/unit/layout/cycles.test.ts` runs it in `npm test`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SOURCE_DIRS = ['shared', 'functions', 'local', 'scripts', 'bench'] as const;

const SPECIFIER =
  /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s+)?['"](\.{1,2}\/[^'"]+)['"]/g;
const DYNAMIC = /\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

const sourceFiles = (root: string, dirs: readonly string[]): string[] =>
  dirs
    .filter((d) => existsSync(join(root, d)))
    .flatMap((d) =>
      readdirSync(join(root, d), { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.ts') && !f.split(/[\\/]/).includes('node_modules'))
        .map((f) => join(d, f)),
    );

/** Relative imports of each file (static, re-exports and dynamic), as paths relative to root. */
export const importGraph = (root: string, dirs: readonly string[] = SOURCE_DIRS): Map<string, string[]> => {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(root, dirs)) {
    const text = readFileSync(join(root, file), 'utf8');
    const targets = new Set<string>();
    for (const re of [SPECIFIER, DYNAMIC]) {
      for (const m of text.matchAll(re)) {
        const target = relative(root, resolve(root, dirname(file), m[1] ?? ''));
        if (target.endsWith('.ts') && existsSync(join(root, target))) targets.add(target);
      }
    }
    graph.set(file, [...targets].sort());
  }
  return graph;
};

/** Every cycle, one per strongly connected component (Tarjan), each as the files in a circle. */
export const findCycles = (graph: Map<string, string[]>): string[][] => {
  let index = 0;
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    indexOf.set(v, index);
    low.set(v, index);
    index += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!indexOf.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, indexOf.get(w) as number));
    }
    if (low.get(v) !== indexOf.get(v)) return;
    const component: string[] = [];
    for (;;) {
      const w = stack.pop() as string;
      onStack.delete(w);
      component.push(w);
      if (w === v) break;
    }
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(component.sort());
  };
  for (const v of [...graph.keys()].sort()) if (!indexOf.has(v)) visit(v);
  return cycles;
};

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const graph = importGraph(root);
  const cycles = findCycles(graph);
  for (const c of cycles) console.error(`import cycle: ${c.join(' <-> ')}`);
  if (cycles.length > 0) process.exit(1);
  console.log(`imports: ${graph.size} modules, no cycle`);
}
