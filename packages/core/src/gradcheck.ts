// Gradient checking: the graph's gradients against central finite differences,
//   ∂f/∂xⱼ ≈ (f(x + ε·eⱼ) − f(x − ε·eⱼ)) / 2ε      (error O(ε²)).
import { GradlabError } from './errors.ts';
import { grad } from './autograd.ts';
import { noGrad } from './modes.ts';
import { formatShape } from './shape.ts';
import { Tensor, zeros } from './tensor.ts';

export interface GradcheckOptions {
  /** Finite-difference step (default 1e-6). */
  eps?: number;
  /** Absolute tolerance (default 1e-5). */
  atol?: number;
  /** Relative tolerance (default 1e-3): |analytical − numerical| ≤ atol + rtol·|numerical|. */
  rtol?: number;
  /** 1 checks first derivatives; 2 also checks the derivatives of the gradient (default 1). */
  order?: 1 | 2;
}

export interface GradcheckMismatch {
  /** Which input (position in `inputs`). */
  input: number;
  /** Flat index of the input element that was perturbed. */
  index: number;
  /** Flat index of the output element. */
  output: number;
  analytical: number;
  numerical: number;
  error: number;
  /** 1 or 2: which derivative order this element belongs to. */
  order: number;
}

export interface GradcheckResult {
  passed: boolean;
  /** The largest |analytical − numerical| over all elements checked. */
  maxError: number;
  /** The element with the largest error (null when nothing was checked). */
  worst: GradcheckMismatch | null;
  /** How many Jacobian elements were compared. */
  checked: number;
  message: string;
}

type Fn = (...inputs: Tensor[]) => Tensor;

/** The analytical Jacobian, one row per output element: J[o][k] = ∂out_o/∂inputs[k] (flat). */
function analyticalJacobian(fn: Fn, inputs: Tensor[], wrt: number[]): Float64Array[][] {
  const out = fn(...inputs);
  const rows: Float64Array[][] = [];
  for (let o = 0; o < out.size; o++) {
    if (!out.requiresGrad) {
      rows.push(wrt.map((k) => new Float64Array(inputs[k].size)));
      continue;
    }
    const seed = zeros(out.shape);
    seed.data[o] = 1;
    const g = grad(out, wrt.map((k) => inputs[k]), { seeds: [seed], allowUnused: true });
    rows.push(g.map((t) => Float64Array.from(t.data)));
  }
  return rows;
}

function checkFirstOrder(fn: Fn, inputs: Tensor[], opts: Required<Omit<GradcheckOptions, 'order'>>, order: number) {
  // the perturbed evaluations record no graph, except for order 2, where fn itself takes a gradient
  const evaluate = order === 1 ? noGrad : <T>(f: () => T): T => f();
  const wrt = inputs.map((x, k) => (x.requiresGrad ? k : -1)).filter((k) => k >= 0);
  const jac = analyticalJacobian(fn, inputs, wrt);
  let maxError = 0;
  let worstAny = null as GradcheckMismatch | null;
  let worstFailure = null as GradcheckMismatch | null;
  let checked = 0;
  evaluate(() => {
    wrt.forEach((k, w) => {
      const x = inputs[k];
      for (let j = 0; j < x.size; j++) {
        const v = x.data[j];
        x.data[j] = v + opts.eps;
        const plus = fn(...inputs).data.slice();
        x.data[j] = v - opts.eps;
        const minus = fn(...inputs).data.slice();
        x.data[j] = v; // restored exactly
        for (let o = 0; o < plus.length; o++) {
          const numerical = (plus[o] - minus[o]) / (2 * opts.eps);
          const analytical = jac[o][w][j];
          const error = Number.isFinite(analytical) ? Math.abs(analytical - numerical) : Infinity;
          const entry = { input: k, index: j, output: o, analytical, numerical, error, order };
          checked++;
          if (!worstAny || error > worstAny.error) worstAny = entry;
          if (!(error <= opts.atol + opts.rtol * Math.abs(numerical)) && (!worstFailure || error > worstFailure.error)) {
            worstFailure = entry;
          }
          maxError = Math.max(maxError, error);
        }
      }
    });
  });
  const passed = worstFailure === null;
  const worst = worstFailure ?? worstAny;
  return { passed, maxError, worst, checked };
}

/**
 * Checks the gradients of `fn` at `inputs` (those with requiresGrad) against central finite
 * differences. With `order: 2` it also checks, for each input, the gradient of the gradient
 * (built with createGraph), which verifies the rules' own derivatives.
 */
export function gradcheck(fn: Fn, inputs: Tensor[], options?: GradcheckOptions): GradcheckResult {
  const opts = { eps: options?.eps ?? 1e-6, atol: options?.atol ?? 1e-5, rtol: options?.rtol ?? 1e-3 };
  if (!inputs.some((x) => x.requiresGrad)) throw new GradlabError('gradcheck: no input has requiresGrad: true');
  // finite differences with ε = 1e-6 drown in float32's rounding (a relative 6e-8 per value)
  inputs.forEach((x, k) => {
    if (x instanceof Tensor && x.dtype !== 'float64') {
      throw new GradlabError(
        `gradcheck: input ${k} ${formatShape(x.shape)} is ${x.dtype}; gradcheck needs float64 inputs (finite differences ` +
          `are meaningless at float32's precision): pass x.double(), or build the inputs with dtype 'float64'`,
      );
    }
  });
  const results = [checkFirstOrder(fn, inputs, opts, 1)];
  if (options?.order === 2) {
    inputs.forEach((x, k) => {
      if (!x.requiresGrad) return;
      const gradOf: Fn = (...xs) => {
        const out = fn(...xs);
        if (!out.requiresGrad) return zeros(x.shape);
        return grad(out, xs[k], { createGraph: true, seeds: [new Tensor(new Float64Array(out.size).fill(1), out.shape)], allowUnused: true })[0];
      };
      results.push(checkFirstOrder(gradOf, inputs, opts, 2));
    });
  }
  // report the worst failing element if any failed, else the worst element
  const failing = results.filter((r) => !r.passed);
  const candidates = (failing.length ? failing : results).map((r) => r.worst).filter((w) => w !== null);
  const worst = candidates.reduce<GradcheckMismatch | null>((a, w) => (a && a.error >= w.error ? a : w), null);
  const passed = results.every((r) => r.passed);
  const maxError = Math.max(...results.map((r) => r.maxError));
  const checked = results.reduce((s, r) => s + r.checked, 0);
  const where = worst
    ? `input ${worst.input} ${formatShape(inputs[worst.input].shape)} element ${worst.index}, output element ${worst.output}` +
      ` (order ${worst.order}): analytical ${worst.analytical}, numerical ${worst.numerical}`
    : 'nothing';
  const message = `${passed ? 'passed' : 'FAILED'}: ${checked} elements, max error ${maxError.toExponential(2)} at ${where}`;
  return { passed, maxError, worst, checked, message };
}
