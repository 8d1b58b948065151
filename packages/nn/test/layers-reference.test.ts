// Every layer against PyTorch 1.13 in float64 (fixtures/nn-reference.json): the same weights
// loaded through loadStateDict, the output, and the gradients of sum(y·w) with respect to the
// inputs and every parameter; BatchNorm1d's running statistics and its eval-mode output too.
import { afterAll, describe, expect, it } from 'vitest';
import { concat, noGrad, type Tensor } from '@gradlab/core';
import {
  AvgPool2d, BatchNorm1d, BatchNorm2d, BatchNormBase, Conv1d, Conv2d, Dropout, ELU, Embedding, GELU, GRUCell, LayerNorm, Linear, LogSoftmax,
  MaxPool2d, RNN, RNNCell, Softmax, Softplus, type AnyModule, type AvgPool2dOptions, type MaxPool2dOptions,
} from '../src/index.ts';
import { decode, expectClose, reference, worst } from './reference.ts';

function build(spec: Record<string, unknown> & { kind: string }): AnyModule {
  const args = (spec.args ?? []) as number[];
  switch (spec.kind) {
    case 'Linear':
      return new Linear(args[0], args[1], { bias: (spec.bias ?? true) as boolean });
    case 'BatchNorm1d':
      return new BatchNorm1d(args[0], { momentum: spec.momentum as number | null, affine: spec.affine as boolean });
    case 'LayerNorm':
      return new LayerNorm(args[0]);
    case 'Embedding':
      return new Embedding(args[0], args[1], { paddingIdx: (spec.paddingIdx ?? null) as number | null });
    case 'RNNCell':
      return new RNNCell(args[0], args[1], { nonlinearity: spec.nonlinearity as 'tanh' | 'relu' });
    case 'GRUCell':
      return new GRUCell(args[0], args[1], { bias: (spec.bias ?? true) as boolean });
    case 'RNN': {
      const cell = spec.cell === 'GRUCell' ? new GRUCell(args[0], args[1]) : new RNNCell(args[0], args[1]);
      return new RNN(cell, { batchFirst: spec.batchFirst as boolean });
    }
    case 'Conv2d':
    case 'Conv1d': {
      const [inChannels, outChannels, kernelSize] = spec.args as [number, number, number | number[]];
      const options = { ...spec, bias: (spec.bias ?? true) as boolean, seed: 7 };
      return spec.kind === 'Conv2d' ? new Conv2d(inChannels, outChannels, kernelSize, options) : new Conv1d(inChannels, outChannels, kernelSize, options);
    }
    case 'MaxPool2d':
      return new MaxPool2d((spec.args as (number | number[])[])[0], spec as MaxPool2dOptions);
    case 'AvgPool2d':
      return new AvgPool2d((spec.args as (number | number[])[])[0], spec as AvgPool2dOptions);
    case 'Dropout': {
      const dropout = new Dropout(args[0], { seed: 3 });
      return spec.eval ? dropout.eval() : dropout;
    }
    case 'BatchNorm2d':
      return new BatchNorm2d(args[0], { momentum: spec.momentum as number | null, affine: spec.affine as boolean, trackRunningStats: spec.trackRunningStats as boolean });
    case 'Softmax':
      return new Softmax(spec.dim as number);
    case 'LogSoftmax':
      return new LogSoftmax(spec.dim as number);
    case 'GELU':
      return new GELU(spec.approximate as 'none' | 'tanh');
    case 'ELU':
      return new ELU(spec.alpha as number);
    case 'Softplus':
      return new Softplus(spec.beta as number);
  }
  throw new Error(`unknown kind ${spec.kind}`);
}

describe(`layers against PyTorch ${reference.torch} (float64, 1e-12)`, () => {
  for (const c of reference.layers) {
    it(c.name, () => {
      const layer = build(c.kind);
      layer.loadStateDict(Object.fromEntries(Object.entries(c.state).map(([k, v]) => [k, { shape: v.shape, data: v.data as number[] }])));
      const inputs = Object.fromEntries(Object.entries(c.inputs).map(([k, v]) => [k, decode(v, { requiresGrad: k in c.gradInputs })]));
      let y: Tensor;
      if (layer instanceof RNN) {
        const h0 = inputs.h0.reshape(inputs.h0.shape.slice(1)); // PyTorch's [layers, N, hidden]
        const [out, last] = layer.forward(inputs.x, h0);
        y = concat([out.reshape([-1]), last.reshape([-1])]);
      } else if (layer instanceof RNNCell || layer instanceof GRUCell) {
        y = layer.forward(inputs.x, inputs.h);
      } else {
        y = (layer as unknown as { forward(x: Tensor): Tensor }).forward(inputs.x ?? inputs.indices);
      }
      expectClose(y, c.y, `${c.name}: y`);
      y.mul(decode(c.w)).sum().backward();
      for (const [name, g] of Object.entries(c.gradInputs)) expectClose(inputs[name].grad!, g, `${c.name}: ∂/∂${name}`);
      const params = new Map(layer.namedParameters());
      expect([...params.keys()].sort()).toEqual(Object.keys(c.gradParams).sort());
      for (const [name, g] of Object.entries(c.gradParams)) expectClose(params.get(name)!.grad!, g, `${c.name}: ∂/∂${name}`);
      if (layer instanceof BatchNorm1d && c.statsAfterTwo) {
        noGrad(() => layer.forward(decode(c.second!)));
        const buffers = new Map(layer.namedBuffers());
        if (layer.trackRunningStats) for (const [name, v] of Object.entries(c.statsAfterTwo)) expectClose(buffers.get(name)!, v, `${c.name}: ${name}`);
        layer.eval();
        expectClose(noGrad(() => layer.forward(decode(c.third!))), c.yEval!, `${c.name}: eval-mode y`);
      }
      if (layer instanceof BatchNormBase && c.moreBatches) {
        c.moreBatches.forEach((batch, i) => expectClose(noGrad(() => layer.forward(decode(batch))), c.yMore![i], `${c.name}: y of training batch ${i + 2}`));
        const buffers = new Map(layer.namedBuffers());
        expect([...buffers.keys()].sort()).toEqual(Object.keys(c.statsAfterMore!).sort());
        for (const [name, v] of Object.entries(c.statsAfterMore!)) expectClose(buffers.get(name)!, v, `${c.name}: ${name} after ${c.moreBatches.length + 1} batches`);
        layer.eval();
        expectClose(noGrad(() => layer.forward(decode(c.third!))), c.yEval!, `${c.name}: eval-mode y`);
      }
    });
  }
  afterAll(() => {
    console.log(`layers: largest difference from PyTorch ${worst.error.toExponential(2)} (${worst.where})`);
  });
});
