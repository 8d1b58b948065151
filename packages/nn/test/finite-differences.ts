// Central finite differences, independent of the graph: ∂f/∂xᵢ ≈ (f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h.
import { expect } from 'vitest';
import { noGrad, type Tensor } from '@gradlab/core';

export const EPS = 1e-6;

/** The numerical gradient of the scalar f() with respect to every element of each input. */
export function numericalGradients(f: () => Tensor, inputs: readonly Tensor[]): Float64Array[] {
  return inputs.map((x) =>
    noGrad(() => {
      const g = new Float64Array(x.size);
      for (let i = 0; i < x.size; i++) {
        const saved = x.data[i];
        x.data[i] = saved + EPS;
        const up = f().item();
        x.data[i] = saved - EPS;
        const down = f().item();
        x.data[i] = saved;
        g[i] = (up - down) / (2 * EPS);
      }
      return g;
    }),
  );
}

/**
 * Runs f().backward() and checks every input's `.grad` against central differences:
 * |analytic − numeric| ≤ atol + rtol·|numeric| with rtol = 1e-6, atol = 1e-8.
 */
export function expectGradientsMatch(f: () => Tensor, inputs: readonly Tensor[]): void {
  for (const x of inputs) x.grad = null;
  f().backward();
  const numeric = numericalGradients(f, inputs);
  inputs.forEach((x, k) => {
    expect(x.grad, `input ${k} (${x.name ?? 'unnamed'}) has no gradient`).not.toBeNull();
    const analytic = x.grad!.data;
    for (let i = 0; i < x.size; i++) {
      const n = numeric[k][i];
      const err = Math.abs(analytic[i] - n);
      expect(err, `input ${k} (${x.name ?? 'unnamed'}) element ${i}: graph ${analytic[i]}, numeric ${n}`).toBeLessThanOrEqual(
        1e-8 + 1e-6 * Math.abs(n),
      );
    }
  });
}
