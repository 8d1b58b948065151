// Loops shared by the elementwise ops: map one tensor, or zip two with numpy broadcasting.
import { broadcastIndex, broadcastShapes, sameShape } from '../shape.ts';
import { Tensor } from '../tensor.ts';

/** y[i] = f(x[i]) */
export function map(x: Tensor, f: (v: number) => number): Tensor {
  const out = new Float64Array(x.size);
  const xs = x.data;
  for (let i = 0; i < out.length; i++) out[i] = f(xs[i]);
  return new Tensor(out, x.shape);
}

/** y = f(a, b) elementwise, broadcasting a and b to a common shape. */
export function zip(opName: string, a: Tensor, b: Tensor, f: (a: number, b: number) => number): Tensor {
  const ad = a.data;
  const bd = b.data;
  if (sameShape(a.shape, b.shape)) {
    const out = new Float64Array(a.size);
    for (let i = 0; i < out.length; i++) out[i] = f(ad[i], bd[i]);
    return new Tensor(out, a.shape);
  }
  const shape = broadcastShapes(opName, a.shape, b.shape);
  if (b.size === 1 && shape.length === a.shape.length) {
    const out = new Float64Array(a.size);
    const s = bd[0];
    for (let i = 0; i < out.length; i++) out[i] = f(ad[i], s);
    return new Tensor(out, a.shape);
  }
  if (a.size === 1 && shape.length === b.shape.length) {
    const out = new Float64Array(b.size);
    const s = ad[0];
    for (let i = 0; i < out.length; i++) out[i] = f(s, bd[i]);
    return new Tensor(out, b.shape);
  }
  const ai = broadcastIndex(a.shape, shape);
  const bi = broadcastIndex(b.shape, shape);
  const out = new Float64Array(ai.length);
  for (let i = 0; i < out.length; i++) out[i] = f(ad[ai[i]], bd[bi[i]]);
  return new Tensor(out, shape);
}
