import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cycles, folderGraph, folderOf, importGraph } from '../../scripts/arch/import-graph.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const graph = importGraph(ROOT);

describe('the import graph (scripts/arch/import-graph.ts)', () => {
  it('finds the imports it should: a file that imports another names it', () => {
    expect(graph.get('pipe/main.ts')).toContain('cli/io.ts');
    expect(folderOf('src/transport/websocket/transport.ts')).toBe('src/transport');
    expect(folderOf('cli/admin/keys/register.ts')).toBe('cli/admin/keys');
  });

  it('reports a cycle when there is one, and none for a chain', () => {
    expect(
      cycles(
        new Map([
          ['a', ['b']],
          ['b', ['c']],
          ['c', ['a']],
          ['d', ['a']],
        ]),
      ),
    ).toEqual([['a', 'b', 'c']]);
    expect(
      cycles(
        new Map([
          ['a', ['b']],
          ['b', ['c']],
          ['c', []],
        ]),
      ),
    ).toEqual([]);
  });

  it('has no cycle between folders', () => {
    expect(cycles(folderGraph(graph))).toEqual([]);
  });

  it('has no cycle between files', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('layers: src/ imports no CLI, src/lib imports nothing of ours, the service CLI not the pipe', () => {
    const edges = [...folderGraph(graph)].flatMap(([from, to]) => to.map((t) => `${from} → ${t}`));
    expect(edges.filter((e) => /^src\/\S+ → (cli|pipe)/.test(e))).toEqual([]);
    expect(edges.filter((e) => e.startsWith('src/lib →'))).toEqual([]);
    expect(edges.filter((e) => /^cli\S* → pipe/.test(e))).toEqual([]);
    expect(edges.filter((e) => /^cli\/admin\S* → cli\/service/.test(e))).toEqual([]);
  });
});
