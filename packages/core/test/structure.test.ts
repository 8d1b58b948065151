// The floor plan of core, checked: imports run one way (no import circle, except sum ↔
// broadcastTo, each the other's derivative), and Tensor's public type holds no walk or compile
// bookkeeping.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { Tensor, tensor } from '../src/index.ts';

const src = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/**
 * Each file's relative imports, type-only ones included (a circle of types is still a circle to
 * a reader). `declare module` merges are not imports: methods.ts and op.ts add to Tensor's type that way.
 */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(src)) {
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(/^(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gms)].map((m) => resolve(dirname(file), m[1]));
    graph.set(relative(src, file), [...new Set(targets.map((t) => relative(src, t)))]);
  }
  return graph;
}

/** The strongly connected components of more than one file (Tarjan's algorithm). */
function circles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const connect = (v: string): void => {
    indices.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!indices.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indices.get(w)!));
    }
    if (low.get(v) === indices.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!indices.has(v)) connect(v);
  return found;
}

describe('core imports run one way', () => {
  it('the only import circle is sum ↔ broadcastTo', () => {
    expect(circles(importGraph())).toEqual([['ops/broadcastTo.ts', 'ops/sum.ts']]);
  });

  it('the floors: tensor imports no op, op imports no op file, ops import no walk, inspection or compile', () => {
    const graph = importGraph();
    const importsOf = (file: string) => graph.get(file)!;
    expect(importsOf('tensor.ts').sort()).toEqual(['errors.ts', 'random.ts', 'shape.ts']);
    expect(importsOf('op.ts').sort()).toEqual(['errors.ts', 'generate.ts', 'modes.ts', 'shape.ts', 'tensor.ts']);
    for (const [file, targets] of graph) {
      if (!file.startsWith('ops/')) continue;
      expect(targets.filter((t) => !t.startsWith('ops/') && !['errors.ts', 'op.ts', 'tensor.ts', 'shape.ts', 'generate.ts'].includes(t)), file).toEqual([]);
    }
    expect(importsOf('autograd.ts').some((t) => t.startsWith('inspect') || t.startsWith('compile/'))).toBe(false);
  });

  it('the detector finds a circle when there is one', () => {
    const graph = new Map([['a.ts', ['b.ts']], ['b.ts', ['c.ts']], ['c.ts', ['a.ts']], ['d.ts', ['a.ts']]]);
    expect(circles(graph)).toEqual([['a.ts', 'b.ts', 'c.ts']]);
  });
});

describe("Tensor's public face", () => {
  it('has no walk or compile fields in its type', () => {
    // the public keys that are data (not methods), listed: a new field must be added here on purpose
    type Data = { [K in keyof Tensor]: Tensor[K] extends (...args: never[]) => unknown ? never : K }[keyof Tensor];
    expectTypeOf<Data>().toEqualTypeOf<
      | 'id' | 'shape' | 'size' | 'data' | 'dtype' | 'requiresGrad' | 'grad' | 'name' | 'op' | 'inputs' | 'attrs' | 'inputVersions'
      | 'retainsGrad' | 'version' | 'rank' | 'isLeaf'
    >();
  });

  it('has no such fields at run time either (only symbol-keyed slots the walk owns)', () => {
    const t = tensor([1, 2], { requiresGrad: true });
    // (`writes` is the private version counter behind `version`; `readGuard` is set only while
    // compile records a step; the values are a private field behind the `data` getter)
    expect(Object.keys(t).sort()).toEqual([
      'attrs', 'grad', 'id', 'inputVersions', 'inputs', 'name', 'op', 'readGuard', 'requiresGrad', 'retainsGrad', 'shape', 'size', 'writes',
    ]);
    expect(Object.getOwnPropertySymbols(t)).toHaveLength(2);
    expect(t).toBeInstanceOf(Tensor);
  });

  it('shape and data cannot be reassigned through the type', () => {
    const t = tensor([1, 2]);
    expect(() => {
      // @ts-expect-error data is readonly: write values into it, or make a new tensor
      t.data = new Float64Array(2);
    }).toThrow(TypeError);
    // @ts-expect-error shape is readonly
    t.shape = [2];
  });
});
