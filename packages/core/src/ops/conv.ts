// Convolution (PyTorch's conv1d/conv2d: cross-correlation, NCL/NCHW, weight [O, C/groups, k…])
// and the two ops its gradients are: the transposed convolution (∂L/∂x) and the weight
// gradient (∂L/∂w). The three are bilinear and each one's derivatives are the other two, so
// gradients of gradients need nothing more:
//
//   y  = conv(x, w)              ∂L/∂x = convTranspose(∂L/∂y, w)   ∂L/∂w = convWeight(x, ∂L/∂y)
//   x′ = convTranspose(g, w)     ∂L/∂g = conv(∂L/∂x′, w)           ∂L/∂w = convWeight(∂L/∂x′, g)
//   w′ = convWeight(x, g)        ∂L/∂x = convTranspose(g, ∂L/∂w′)  ∂L/∂g = conv(x, ∂L/∂w′)
//
// (from ⟨conv(x, w), g⟩ = ⟨x, convTranspose(g, w)⟩ = ⟨w, convWeight(x, g)⟩). The loops are in
// convKernel.ts; the public functions with their argument checks in convolution.ts.
import { defineOp, type Op } from '../op.ts';
import type { Shape } from '../shape.ts';
import { convForward, convTransposeForward, convWeightForward, type ConvSizes } from './convKernel.ts';
import type { KernelBase } from './kernels.ts';
import { describeWindow, type Spatial, type Window } from './window.ts';

/** A convolution's settings: the windows over x (x's spatial size h, w; y's oh, ow) and the groups. */
export interface ConvAttrs {
  readonly spatial: Spatial;
  readonly window: Window;
  readonly groups: number;
}

/** [N, C, h, w] or [N, C, w]: the spatial axes for 2-D or 1-D. */
function spatialShape(n: number, c: number, spatial: Spatial, h: number, w: number): Shape {
  return spatial === 2 ? [n, c, h, w] : [n, c, w];
}

function kernelShape(o: number, c: number, { spatial, window: win }: ConvAttrs): Shape {
  return spatial === 2 ? [o, c, win.kh, win.kw] : [o, c, win.kw];
}

type ConvKernel = KernelBase<ConvAttrs> & { readonly kind: 'conv' };

/** y = conv(x, w): [N, C, …] ⋆ [O, C/groups, …] → [N, O, oh, ow]. */
const convKernel: ConvKernel = {
  kind: 'conv',
  shape: ([x, w], a) => spatialShape(x.shape[0], w.shape[0], a.spatial, a.window.oh, a.window.ow),
  run: (out, [x, w], a) => convForward(out, x.data, w.data, sizes(x.shape[0], x.shape[1], w.shape[0], a)),
};

/** x′ = convTranspose(g, w): [N, O, oh, ow] with [O, C/groups, …] → [N, C, h, w]. */
const convTransposeKernel: ConvKernel = {
  kind: 'conv',
  shape: ([g, w], a) => spatialShape(g.shape[0], w.shape[1] * a.groups, a.spatial, a.window.h, a.window.w),
  run: (out, [g, w], a) => convTransposeForward(out, g.data, w.data, sizes(g.shape[0], w.shape[1] * a.groups, g.shape[1], a)),
};

/** w′ = convWeight(x, g): [N, C, h, w] with [N, O, oh, ow] → [O, C/groups, kh, kw]. */
const convWeightKernel: ConvKernel = {
  kind: 'conv',
  shape: ([x, g], a) => kernelShape(g.shape[1], x.shape[1] / a.groups, a),
  run: (out, [x, g], a) => convWeightForward(out, x.data, g.data, sizes(x.shape[0], x.shape[1], g.shape[1], a)),
};

function sizes(n: number, c: number, o: number, { groups, window: win }: ConvAttrs): ConvSizes {
  return { n, c, o, groups, win };
}

function describe(name: string) {
  return ({ spatial, window: win, groups }: ConvAttrs): string => {
    const settings = describeWindow(spatial, win, groups === 1 ? [] : [`groups=${groups}`]);
    return settings ? `${name}(${settings})` : name;
  };
}

export interface ConvOps {
  conv: Op<'x' | 'w', ConvAttrs>;
  convTranspose: Op<'g' | 'w', ConvAttrs>;
  convWeight: Op<'x' | 'g', ConvAttrs>;
}

/** The three ops for one spatial rank: conv1d, convTranspose1d, conv1dWeight (or 2d). */
function convOps(spatial: Spatial): ConvOps {
  const d = `${spatial}d`;
  const conv: Op<'x' | 'w', ConvAttrs> = defineOp({
    name: `conv${d}`,
    inputs: ['x', 'w'],
    kernel: convKernel,
    derivatives: {
      x: {
        formula: `∂y[n,o,p]/∂x[n,c,i] = w[o,c,tap] where window p reads x[n,c,i] at that tap, so ∂L/∂x = convTranspose${d}(∂L/∂y, w)`,
        vjp: ({ grad, w, attrs }) => ops.convTranspose.apply([grad, w], attrs),
      },
      w: {
        formula: `∂y[n,o,p]/∂w[o,c,tap] = x[n,c] at that tap of window p, so ∂L/∂w = conv${d}Weight(x, ∂L/∂y) = Σₙ,ₚ ∂L/∂yₙₒₚ·x(tap of p)`,
        vjp: ({ grad, x, attrs }) => ops.convWeight.apply([x, grad], attrs),
      },
    },
    describe: describe(`conv${d}`),
  });
  const convTranspose: Op<'g' | 'w', ConvAttrs> = defineOp({
    name: `convTranspose${d}`,
    inputs: ['g', 'w'],
    kernel: convTransposeKernel,
    derivatives: {
      g: {
        formula: `x′ is linear in g with conv${d}(·, w) as its adjoint, so ∂L/∂g = conv${d}(∂L/∂x′, w)`,
        vjp: ({ grad, w, attrs }) => ops.conv.apply([grad, w], attrs),
      },
      w: {
        formula: `⟨∂L/∂x′, convTranspose${d}(g, w)⟩ = ⟨conv${d}(∂L/∂x′, w), g⟩, so ∂L/∂w = conv${d}Weight(∂L/∂x′, g)`,
        vjp: ({ grad, g, attrs }) => ops.convWeight.apply([grad, g], attrs),
      },
    },
    describe: describe(`convTranspose${d}`),
  });
  const convWeight: Op<'x' | 'g', ConvAttrs> = defineOp({
    name: `conv${d}Weight`,
    inputs: ['x', 'g'],
    kernel: convWeightKernel,
    derivatives: {
      x: {
        formula: `⟨∂L/∂w′, conv${d}Weight(x, g)⟩ = ⟨g, conv${d}(x, ∂L/∂w′)⟩, so ∂L/∂x = convTranspose${d}(g, ∂L/∂w′)`,
        vjp: ({ grad, g, attrs }) => ops.convTranspose.apply([g, grad], attrs),
      },
      g: {
        formula: `w′ is linear in g with conv${d}(x, ·) as its adjoint, so ∂L/∂g = conv${d}(x, ∂L/∂w′)`,
        vjp: ({ grad, x, attrs }) => ops.conv.apply([x, grad], attrs),
      },
    },
    describe: describe(`conv${d}Weight`),
  });
  const ops: ConvOps = { conv, convTranspose, convWeight };
  return ops;
}

/** conv1d, convTranspose1d and conv1dWeight: NCL tensors, weight [O, C/groups, k]. */
export const conv1dOps = convOps(1);
/** conv2d, convTranspose2d and conv2dWeight: NCHW tensors, weight [O, C/groups, kh, kw]. */
export const conv2dOps = convOps(2);
