// Recurrent layers: RNNCell and GRUCell (one step, forward(x, h)), and RNN, which unrolls a cell
// over a sequence. PyTorch's names, weight layouts ([gates·hidden, input]) and initialisation.
import { createRng, formatShape, GradlabError, rand, stack, zeros, type DType, type Rng, type Tensor } from '@gradlab/core';
import { expectBoolean, expectDType, expectPositiveInteger, expectSeed, expectTensor } from './check.ts';
import { Module, type ModuleConfig } from './module.ts';

export interface RecurrentCellOptions {
  /** Add the biases b_ih and b_hh (default true). */
  bias?: boolean;
  /** Seed of the initialisation (default 0). */
  seed?: number;
  /** The parameters' dtype (default float64); float32 ones are the float64 draws rounded. */
  dtype?: DType;
}

/** A recurrent cell: one step h' = cell(x, h), with h of shape [N, hiddenSize] (zeros when omitted). */
export abstract class RecurrentCell extends Module<[Tensor, (Tensor | undefined)?], Tensor> {
  readonly inputSize: number;
  readonly hiddenSize: number;
  /** W_ih [gates·hidden, input]. */
  readonly weightIh: Tensor;
  /** W_hh [gates·hidden, hidden]. */
  readonly weightHh: Tensor;
  readonly biasIh: Tensor | null;
  readonly biasHh: Tensor | null;
  /** The parameters' dtype (and the initial state's when h is omitted). */
  readonly dtype: DType;

  /** Every weight and bias from U(−1/√hidden, 1/√hidden), in the order weightIh, weightHh, biasIh, biasHh (PyTorch's). */
  protected constructor(kind: string, gates: number, inputSize: number, hiddenSize: number, options: RecurrentCellOptions) {
    super();
    const { bias = true, seed = 0, dtype = 'float64' } = options;
    this.inputSize = expectPositiveInteger(kind, 'inputSize', inputSize);
    this.hiddenSize = expectPositiveInteger(kind, 'hiddenSize', hiddenSize);
    expectBoolean(kind, 'bias', bias);
    this.dtype = expectDType(kind, dtype);
    const rng = createRng(expectSeed(kind, seed));
    const k = 1 / Math.sqrt(hiddenSize);
    const draw = (shape: number[], name: string, r: Rng) => this.registerParameter(name, rand(shape, r, { low: -k, high: k, requiresGrad: true, name, dtype }));
    this.weightIh = draw([gates * hiddenSize, inputSize], 'weightIh', rng);
    this.weightHh = draw([gates * hiddenSize, hiddenSize], 'weightHh', rng);
    this.biasIh = bias ? draw([gates * hiddenSize], 'biasIh', rng) : null;
    this.biasHh = bias ? draw([gates * hiddenSize], 'biasHh', rng) : null;
  }

  /** x [N, input] (or [input]) and h [N, hidden] (or [hidden]; zeros if omitted) → h' of h's shape. */
  forward(x: Tensor, h?: Tensor): Tensor {
    const name = this.describe();
    expectTensor(name, 'x', x);
    if (h !== undefined) expectTensor(name, 'h', h);
    const single = x.rank === 1;
    if ((x.rank !== 1 && x.rank !== 2) || x.shape[x.rank - 1] !== this.inputSize) {
      throw new GradlabError(`${name}: x of shape ${formatShape(x.shape)} must be [N, ${this.inputSize}] or [${this.inputSize}]`);
    }
    const batch = single ? 1 : x.shape[0];
    const expected = single ? [this.hiddenSize] : [batch, this.hiddenSize];
    if (h !== undefined && (h.rank !== expected.length || h.shape.some((d, i) => d !== expected[i]))) {
      throw new GradlabError(`${name}: h of shape ${formatShape(h.shape)} does not fit x of shape ${formatShape(x.shape)} (expected ${formatShape(expected)})`);
    }
    const x2 = single ? x.reshape([1, this.inputSize]) : x;
    const h2 = h === undefined ? zeros([batch, this.hiddenSize], { dtype: this.dtype }) : single ? h.reshape([1, this.hiddenSize]) : h;
    const out = this.step(x2, h2);
    return single ? out.reshape([this.hiddenSize]) : out;
  }

  /** x·W_ihᵀ + b_ih and h·W_hhᵀ + b_hh, each [N, gates·hidden]. */
  protected projections(x: Tensor, h: Tensor): [Tensor, Tensor] {
    let gi = x.matmul(this.weightIh.transpose());
    let gh = h.matmul(this.weightHh.transpose());
    if (this.biasIh) gi = gi.add(this.biasIh);
    if (this.biasHh) gh = gh.add(this.biasHh);
    return [gi, gh];
  }

  /** One step on batched x [N, input] and h [N, hidden]. */
  protected abstract step(x: Tensor, h: Tensor): Tensor;
}

export interface RNNCellOptions extends RecurrentCellOptions {
  /** 'tanh' (default) or 'relu'. */
  nonlinearity?: 'tanh' | 'relu';
}

/** h' = tanh(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh) (or relu). W_ih [hidden, input], W_hh [hidden, hidden]. */
export class RNNCell extends RecurrentCell {
  readonly nonlinearity: 'tanh' | 'relu';

  constructor(inputSize: number, hiddenSize: number, options: RNNCellOptions = {}) {
    super('RNNCell', 1, inputSize, hiddenSize, options);
    const { nonlinearity = 'tanh' } = options;
    if (nonlinearity !== 'tanh' && nonlinearity !== 'relu') {
      throw new GradlabError(`RNNCell: nonlinearity must be 'tanh' or 'relu', got ${JSON.stringify(nonlinearity)}`);
    }
    this.nonlinearity = nonlinearity;
  }

  protected step(x: Tensor, h: Tensor): Tensor {
    const [gi, gh] = this.projections(x, h);
    const z = gi.add(gh);
    return this.nonlinearity === 'tanh' ? z.tanh() : z.relu();
  }

  override describe(): string {
    return `RNNCell(${this.inputSize}, ${this.hiddenSize}${this.nonlinearity === 'relu' ? ', relu' : ''})`;
  }

  override config(): ModuleConfig {
    return { kind: 'RNNCell', inputSize: this.inputSize, hiddenSize: this.hiddenSize, bias: this.biasIh !== null, nonlinearity: this.nonlinearity, ...(this.dtype === 'float32' ? { dtype: this.dtype } : {}) };
  }
}

/**
 * The gated recurrent unit (Cho et al. 2014), PyTorch's GRUCell; gates in the order r, z, n:
 *   r = σ(W_ir x + b_ir + W_hr h + b_hr)       z = σ(W_iz x + b_iz + W_hz h + b_hz)
 *   n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
 *   h' = (1 − z) ⊙ n + z ⊙ h
 * W_ih = [W_ir; W_iz; W_in] is [3·hidden, input], W_hh [3·hidden, hidden].
 */
export class GRUCell extends RecurrentCell {
  constructor(inputSize: number, hiddenSize: number, options: RecurrentCellOptions = {}) {
    super('GRUCell', 3, inputSize, hiddenSize, options);
  }

  protected step(x: Tensor, h: Tensor): Tensor {
    const [gi, gh] = this.projections(x, h);
    const [ir, iz, inn] = gi.split(this.hiddenSize, 1);
    const [hr, hz, hn] = gh.split(this.hiddenSize, 1);
    const r = ir.add(hr).sigmoid();
    const z = iz.add(hz).sigmoid();
    const n = inn.add(r.mul(hn)).tanh();
    return z.neg().add(1).mul(n).add(z.mul(h));
  }

  override describe(): string {
    return `GRUCell(${this.inputSize}, ${this.hiddenSize})`;
  }

  override config(): ModuleConfig {
    return { kind: 'GRUCell', inputSize: this.inputSize, hiddenSize: this.hiddenSize, bias: this.biasIh !== null, ...(this.dtype === 'float32' ? { dtype: this.dtype } : {}) };
  }
}

export interface RNNOptions {
  /** Input and output as [N, T, ·] instead of [T, N, ·] (default false, as PyTorch). */
  batchFirst?: boolean;
}

/**
 * Unrolls a cell over a sequence: h_t = cell(x_t, h_{t−1}), h_0 given or zeros. `forward(x, h0?)`
 * takes x of shape [T, N, input] ([N, T, input] with batchFirst, or [T, input] unbatched) and
 * returns [output, hLast]: output stacks every h_t ([T, N, hidden], or [N, T, hidden]) and hLast
 * is h_T ([N, hidden]). The graph holds one copy of the cell's ops per step (backpropagation
 * through time). `new RNN(new RNNCell(i, h))` is PyTorch's one-layer nn.RNN, `new RNN(new GRUCell(i, h))` its nn.GRU.
 */
export class RNN extends Module<[Tensor, (Tensor | undefined)?], [Tensor, Tensor]> {
  readonly cell: RecurrentCell;
  readonly batchFirst: boolean;

  constructor(cell: RecurrentCell, options: RNNOptions = {}) {
    super();
    if (!(cell instanceof RecurrentCell)) throw new GradlabError(`RNN: cell must be an RNNCell or a GRUCell, got ${cell === null ? 'null' : typeof cell}`);
    const { batchFirst = false } = options;
    this.batchFirst = expectBoolean('RNN', 'batchFirst', batchFirst);
    this.cell = this.addModule('cell', cell);
  }

  forward(x: Tensor, h0?: Tensor): [Tensor, Tensor] {
    const name = this.describe();
    expectTensor(name, 'x', x);
    const { inputSize } = this.cell;
    if ((x.rank !== 2 && x.rank !== 3) || x.shape[x.rank - 1] !== inputSize) {
      const layout = this.batchFirst ? 'N, T' : 'T, N';
      throw new GradlabError(`${name}: x of shape ${formatShape(x.shape)} must be [${layout}, ${inputSize}] or [T, ${inputSize}]`);
    }
    const unbatched = x.rank === 2;
    const timeAxis = unbatched || !this.batchFirst ? 0 : 1;
    const T = x.shape[timeAxis];
    if (T === 0) throw new GradlabError(`${name}: x of shape ${formatShape(x.shape)} has no time steps`);
    const steps = x.split(1, timeAxis).map((s) => s.squeeze(timeAxis));
    let h = h0;
    const outputs: Tensor[] = [];
    for (const xt of steps) {
      h = this.cell.forward(xt, h);
      outputs.push(h);
    }
    return [stack(outputs, unbatched ? 0 : timeAxis), h as Tensor];
  }

  override describe(): string {
    return `RNN(${this.cell.describe()}${this.batchFirst ? ', batchFirst' : ''})`;
  }

  override config(): ModuleConfig {
    return { kind: 'RNN', cell: this.cell.config(), batchFirst: this.batchFirst };
  }
}
