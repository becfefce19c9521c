// The project's own import graph (relative imports, static and dynamic) and its cycles, at the
// level of files and of folders. `node scripts/arch/import-graph.ts` prints every cycle and exits
// 1 if there is one; test/arch/imports.test.ts holds the tree to it.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

/** Where our code lives: each deployable's CLI and the capabilities under src/. */
export const ROOTS = ['src', 'cli', 'pipe'] as const;

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm;

function files(root: string, dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return files(root, path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** file → the files it imports, paths relative to the repository. */
export function importGraph(root: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of ROOTS.flatMap((r) => files(root, r))) {
    const text = readFileSync(join(root, file), 'utf8');
    const targets = [...text.matchAll(IMPORT)].map((m) => normalize(join(dirname(file), m[1] ?? '')));
    graph.set(
      file,
      targets.filter((t) => ROOTS.some((r) => t.startsWith(`${r}/`))),
    );
  }
  return graph;
}

/**
 * The folder a file belongs to for layering: a capability under src/ (src/transport holds its
 * websocket/ and native/ implementations), each CLI folder as it is (cli, cli/service,
 * cli/admin/keys, …), and pipe.
 */
export function folderOf(file: string): string {
  const parts = dirname(file).split('/');
  return parts[0] === 'src' ? parts.slice(0, 2).join('/') : parts.join('/');
}

/** Strongly connected components with more than one node (Tarjan): each one is a cycle. */
export function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    indices.set(node, index);
    low.set(node, index++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!indices.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(next) ?? 0));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node) ?? 0, indices.get(next) ?? 0));
    }
    if (low.get(node) === indices.get(node)) {
      const component: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop();
        if (member === undefined) break;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!indices.has(node)) visit(node);
  return found;
}

/** The graph between folders (self-edges dropped). */
export function folderGraph(graph: ReadonlyMap<string, readonly string[]>): Map<string, string[]> {
  const folders = new Map<string, Set<string>>();
  for (const [file, targets] of graph) {
    const from = folderOf(file);
    const edges = folders.get(from) ?? new Set<string>();
    for (const target of targets) if (folderOf(target) !== from) edges.add(folderOf(target));
    folders.set(from, edges);
  }
  return new Map([...folders].map(([folder, edges]) => [folder, [...edges].sort()]));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = relative(process.cwd(), new URL('../..', import.meta.url).pathname) || '.';
  const graph = importGraph(root);
  const byFolder = cycles(folderGraph(graph));
  const byFile = cycles(graph);
  for (const c of byFolder) console.log(`folder cycle: ${c.join(' ↔ ')}`);
  for (const c of byFile) console.log(`file cycle: ${c.join(' ↔ ')}`);
  console.log(`${graph.size} files; ${byFolder.length} folder cycles, ${byFile.length} file cycles`);
  process.exit(byFolder.length + byFile.length > 0 ? 1 : 0);
}
