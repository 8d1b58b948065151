import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');

/** Every module reachable from `entry` by relative imports, with the bare imports it makes. */
function importGraph(entry: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const visit = (file: string) => {
    if (graph.has(file)) return;
    const text = readFileSync(file, 'utf8');
    const specifiers = [...text.matchAll(/^(?:import|export)[^'"]*from\s+'([^']+)'/gm)].map((m) => m[1]);
    graph.set(file, specifiers.filter((s) => !s.startsWith('.')));
    for (const s of specifiers) if (s.startsWith('.')) visit(join(dirname(file), s));
  };
  visit(entry);
  return graph;
}

describe('entry points', () => {
  it('src/index.ts reaches no Node module (it must run in a browser)', () => {
    const graph = importGraph(join(src, 'index.ts'));
    expect(graph.size).toBeGreaterThan(10);
    expect(graph.has(join(src, 'node.ts'))).toBe(false);
    const external = new Set([...graph.values()].flat());
    expect([...external].sort()).toEqual(['@gradlab/core']);
  });

  it('src/export/index.ts reaches no Node module either (exports return bytes)', () => {
    const graph = importGraph(join(src, 'export/index.ts'));
    expect(graph.has(join(src, 'node.ts'))).toBe(false);
    const external = new Set([...graph.values()].flat());
    expect([...external].sort()).toEqual(['@gradlab/core', 'protobufjs/light.js']);
  });
});
