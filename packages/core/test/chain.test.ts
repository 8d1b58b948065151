// Deep graphs: the topological sort and the backward walk are iterative, so a chain of
// 100,000 nodes neither overflows the stack nor loses accuracy.
import { describe, expect, it } from 'vitest';
import { add, mul, tensor, topologicalOrder, trace, type Tensor } from '../src/index.ts';

const N = 100_000;

describe('a 100,000-node chain', () => {
  it('y = x · cᴺ: backward gives cᴺ', () => {
    const c = 1.0000001;
    const x = tensor(2, { requiresGrad: true });
    let y: Tensor = x;
    for (let i = 0; i < N; i++) y = mul(y, c);
    y.backward();
    const cN = Math.pow(c, N); // ≈ e^0.01 ≈ 1.01005
    expect(Math.abs(y.item() - 2 * cN)).toBeLessThan(1e-9);
    expect(Math.abs(x.grad!.item() - cN)).toBeLessThan(1e-9);
    expect(topologicalOrder([y])).toHaveLength(N + 1);
  });

  it('alternating mul and add with fan-out: y ← y·c + x, 50,000 times', () => {
    // y₀ = x, yₖ₊₁ = c·yₖ + x, so yₙ = x·Σₖ₌₀ⁿ cᵏ and dyₙ/dx = Σₖ₌₀ⁿ cᵏ = (1 − cⁿ⁺¹)/(1 − c)
    const c = 0.9999;
    const n = N / 2;
    const x = tensor(3, { requiresGrad: true });
    let y: Tensor = x;
    for (let i = 0; i < n; i++) y = add(mul(y, c), x);
    y.backward();
    const geometric = (1 - Math.pow(c, n + 1)) / (1 - c);
    expect(Math.abs(x.grad!.item() / geometric - 1)).toBeLessThan(1e-9);
    expect(Math.abs(y.item() / (3 * geometric) - 1)).toBeLessThan(1e-9);
    // x, the n constants c and the 2n ops: trace (an iterative sort too) holds them all
    expect(trace(y)).toHaveLength(1 + n + 2 * n);
  });
});
