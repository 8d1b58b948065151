// compile: one training step (forward and backward) recorded once as a static program over
// buffers allocated once, then replayed with nothing allocated per step.
//
// The backward rules are core ops, so recording the backward pass is just recording more ops.
// A replay runs the same kernels, or code doing the same arithmetic in the same order (see
// codegen.ts), so it gives bit for bit what the eager step gives on the same inputs.
//
// What a step function may do: any core ops on its inputs and on tensors from outside it
// (parameters, data), with shapes fixed by its inputs' shapes. What it must not do: choose ops
// by values (data-dependent `if`s: the recording keeps the branch it took), compute values
// outside ops (`t.data.map(...)`, `item()` fed back into ops: those are frozen as constants),
// draw random numbers outside ops (`randn` in the step is frozen too), call `backward()`,
// update parameters, or write buffers other than through `assign`. Reading a value computed
// while recording outside an op is an error (record.ts traces them); the second run checks the
// replay against the eager step bit for bit and throws if they differ. Random ops (dropout's
// mask) are ops like the others: each replay draws a fresh mask from their RandomSource, as each
// eager step would; the checking run hands the replay the numbers its eager run drew
// (ops/draws.ts), so a compiled step draws the same masks, in the same order, as the eager steps
// from the same seed.
// A buffer the step updates in place (BatchNorm's running statistics in training mode) is
// updated with ops ending in `assign(buffer, value)`: an op like the others, so each replay
// repeats the update, reading the buffer's values of that run; the checking run compares the
// buffers the replay leaves with the eager step's, bit for bit, too.
// Anomaly detection (detectAnomaly) checks the recording run, not the replays.
//
// compile has no optimizer of its own: the parameters' gradients are left in `.grad` for any
// optimizer to step, or an optimizer that describes its update (update.ts: nn's SGD and Adam)
// is run inside the program, right after the backward pass.
import { GradlabError } from '../errors.ts';
import { walk } from '../autograd.ts';
import { withMode } from '../modes.ts';
import { freshResults, withResultHook } from '../op.ts';
import { recordDraws, replayDraws } from '../ops/draws.ts';
import { formatShape, sameShape } from '../shape.ts';
import { ones, Tensor } from '../tensor.ts';
import { generateStep } from './codegen.ts';
import { buildProgram, interpret, listing, type Program } from './program.ts';
import { recordOps, type TapeEntry } from './record.ts';
import { applyUpdate, nonFiniteGradient, planUpdate, type FusableOptimizer, type UpdatePlan } from './update.ts';

/** What a step function returns: the loss, or the loss and other tensors to read after each run. */
export type StepOutputs = Tensor | { readonly loss: Tensor; readonly [name: string]: Tensor };

export interface CompileOptions {
  /**
   * An optimizer whose update runs inside the program after the backward pass (nn's `SGD`,
   * `Adam`): each run then also steps the parameters, as `optimizer.step()` would, bit for bit,
   * reading the optimizer's learning rate at every run. Without it, step them after each run.
   */
  optimizer?: FusableOptimizer;
  /**
   * 'generated' (the default where `new Function` is allowed): straight-line code for small
   * ops, kernels for large ones. 'kernels': replay op by op through the kernels.
   */
  mode?: 'generated' | 'kernels';
  /** Check the first replay against the eager step, bit for bit (default true). */
  verify?: boolean;
}

interface Compiled {
  program: Program;
  inputs: Tensor[];
  outputs: StepOutputs;
  gradTensors: Tensor[];
  /** The optimizer's update, resolved against the program (null without one). */
  update: UpdatePlan | null;
  /** Forward, backward and the update; false when a gradient is not finite (nothing updated). */
  replay: () => boolean;
  generated: string | null;
}

/**
 * `compile(step)`: `step(...inputs)` builds one training step's graph from its input tensors
 * and returns the loss (a scalar), or `{ loss, ...others }`. The first `run(...inputs)` runs it
 * eagerly while recording every op, forward and backward, and keeps the result as a program;
 * later runs replay that program for inputs of the same shapes.
 *
 * Each run sets `.grad` of every parameter (every tensor from outside the step that the loss
 * depends on and that requires grad) to ∂loss/∂param of this run: replaced, not accumulated.
 * With `optimizer`, each run then updates the parameters; otherwise step them with an optimizer.
 * The tensors a run returns are the program's own: the next run overwrites them.
 */
export function compile<I extends Tensor[], O extends StepOutputs>(
  step: (...inputs: I) => O,
  options: CompileOptions = {},
): CompiledStep<I, O> {
  return new CompiledStep(step, options);
}

export class CompiledStep<I extends Tensor[], O extends StepOutputs> {
  private readonly step: (...inputs: I) => O;
  private readonly optimizer: FusableOptimizer | null;
  private readonly mode: 'generated' | 'kernels';
  private verifyNext: boolean;
  private compiled: Compiled | null = null;

  constructor(step: (...inputs: I) => O, options: CompileOptions = {}) {
    if (typeof step !== 'function') throw new GradlabError('compile: expected a step function (...inputs) => loss');
    const { optimizer } = options;
    if (optimizer !== undefined && typeof optimizer?.parameterUpdate !== 'function') {
      throw new GradlabError(
        'compile: options.optimizer must describe its update (parameterUpdate(), as SGD and Adam of @gradlab/nn do); ' +
          'step other optimizers after each run instead',
      );
    }
    this.step = step;
    this.optimizer = optimizer ?? null;
    this.mode = options.mode ?? 'generated';
    this.verifyNext = options.verify ?? true;
  }

  /** The parameters, in the order the step first uses them (empty before the first run). */
  get parameters(): readonly Tensor[] {
    return this.compiled?.program.params ?? [];
  }

  /** Whether the program runs as generated code (false: kernel by kernel). */
  get generated(): boolean {
    return this.compiled?.generated != null;
  }

  /** Runs one step: forward, backward, and the optimizer's update if there is one. */
  run(...inputs: I): O {
    const compiled = this.compiled;
    if (!compiled) return this.record(inputs);
    const placeholders = compiled.inputs;
    if (inputs.length !== placeholders.length) {
      throw new GradlabError(`compile: the step was recorded with ${placeholders.length} inputs, got ${inputs.length}`);
    }
    for (let k = 0; k < inputs.length; k++) {
      const x = inputs[k];
      if (!(x instanceof Tensor)) throw new GradlabError(`compile: input ${k} is not a Tensor`);
      if (!sameShape(x.shape, placeholders[k].shape)) {
        throw new GradlabError(
          `compile: input ${k} has shape ${formatShape(x.shape)}, but the step was recorded with ` +
            `${formatShape(placeholders[k].shape)}; shapes are fixed (compile another step for other shapes)`,
        );
      }
      placeholders[k].data.set(x.data);
    }
    const updated = this.verifyNext ? this.verify(compiled, inputs) : compiled.replay();
    this.setGrads(compiled);
    if (!updated) throw new GradlabError(nonFiniteGradient(compiled.update!)!);
    if (compiled.update) markMoved(compiled.update);
    return compiled.outputs as O;
  }

  /** The program, one op per line: forward ops, then the backward pass's ops. */
  describe(): string {
    if (!this.compiled) return '(not recorded yet: run the step once)';
    return listing(this.compiled.program);
  }

  /** The generated source (null before the first run or in 'kernels' mode). */
  source(): string | null {
    return this.compiled?.generated ?? null;
  }

  /** The first run: eager, recording every op; its tensors become the program's buffers. */
  private record(inputs: I): O {
    inputs.forEach((x, k) => {
      if (!(x instanceof Tensor)) throw new GradlabError(`compile: input ${k} is not a Tensor`);
      if (x.requiresGrad) {
        throw new GradlabError(`compile: input ${k} requires grad; a compiled step gives gradients for parameters (tensors from outside the step)`);
      }
    });
    const firstId = new Tensor(new Float64Array(0), [0]).id + 1;
    const placeholders = inputs.map((x) => new Tensor(x.data.slice(), x.shape));
    const { value, tape } = recordOps(() => {
      const returned = withMode('grad', true, () => this.step(...(placeholders as I)));
      const outputs = outputList(returned);
      const loss = outputs[0];
      if (loss.size !== 1) throw new GradlabError(`compile: the loss must be a single value, got shape ${formatShape(loss.shape)}`);
      if (!loss.requiresGrad) throw new GradlabError('compile: the loss does not depend on any tensor that requires grad');
      return { returned, outputs, recorded: walk([loss], [ones(loss.shape)]) };
    }, placeholders.map((tensor, k) => ({ tensor, what: `input ${k} ${formatShape(tensor.shape)}` })));
    const { returned, outputs, recorded } = value;
    const gradOf = new Map<Tensor, Tensor>();
    recorded.order.forEach((t, k) => {
      const g = recorded.grads[k];
      if (g && t.op === null && !placeholders.includes(t)) gradOf.set(t, g);
    });
    const params = parametersInOrder(tape, gradOf);
    const grads = params.map((p) => gradOf.get(p)!);
    const program = buildProgram(tape, firstId, placeholders, outputs, params, grads);
    const gradTensors = params.map((p, i) => new Tensor(Float64Array.from(grads[i].data), p.shape));

    const gradBuffers = gradTensors.map((g) => g.data);
    const update = this.optimizer && planUpdate(this.optimizer.parameterUpdate(), params, gradBuffers);

    let replay: () => boolean;
    let generated: string | null = null;
    const step = this.mode === 'generated' ? generateStep(program, gradBuffers, update) : null;
    if (step) {
      replay = step.run;
      generated = step.source;
    } else {
      const forwardAndBackward = interpret(program);
      replay = () => {
        forwardAndBackward();
        for (let i = 0; i < grads.length; i++) gradBuffers[i].set(grads[i].data);
        return update ? applyUpdate(update) : true;
      };
    }
    const compiled: Compiled = {
      program,
      inputs: placeholders,
      outputs: programOutputs(returned, program),
      gradTensors,
      update,
      replay,
      generated,
    };
    this.compiled = compiled;
    // this run's results are the eager ones just computed; finish the step with them
    this.setGrads(compiled);
    if (update && !applyUpdate(update)) throw new GradlabError(nonFiniteGradient(update)!);
    if (update) markMoved(update);
    return compiled.outputs as O;
  }

  /**
   * The second run: the eager step and the replay on the same inputs must agree bit for bit.
   * Returns what the replay returned.
   */
  private verify(compiled: Compiled, inputs: I): boolean {
    const { program } = compiled;
    // buffers the step writes (assign) are written by the eager run; the replay starts again from
    // their values before it, and must leave them as the eager run did
    const before = program.effects.map((t) => t.data.slice());
    // random ops (dropout) draw for the eager run; the replay is given the same numbers
    const { value: eager, draws } = recordDraws(() => withResultHook(freshResults, () => {
      const outputs = outputList(withMode('grad', true, () => this.step(...inputs)));
      const eagerWalk = walk([outputs[0]], [ones(outputs[0].shape)]);
      const grads = new Map<Tensor, Float64Array>();
      eagerWalk.order.forEach((t, k) => {
        const g = eagerWalk.grads[k];
        if (g && t.op === null) grads.set(t, g.data.slice());
      });
      return { outputs: outputs.map((t) => t.data.slice()), grads };
    }));
    const eagerBuffers = program.effects.map((t, i) => {
      const after = t.data.slice();
      t.data.set(before[i]);
      return after;
    });
    let updated = false;
    const sameDraws = replayDraws(draws, () => {
      updated = compiled.replay();
    });
    this.verifyNext = false;
    const replayed = outputList(compiled.outputs);
    const problem =
      (sameDraws ? null : `random ops drew ${draws.length} numbers eagerly, the replay another count`) ??
      differs('output', eager.outputs, replayed.map((t) => t.data)) ??
      differs(
        'gradient',
        program.params.map((p) => eager.grads.get(p) ?? new Float64Array(0)),
        compiled.gradTensors.map((g) => g.data),
      ) ??
      differs('buffer', eagerBuffers, program.effects.map((t) => t.data));
    if (problem || eager.grads.size !== program.params.length) {
      this.compiled = null;
      throw new GradlabError(
        `compile: the replayed step differs from the eager step (${problem ?? 'other parameters'}): the step function ` +
          `computes something outside gradlab's ops, chooses ops by values, or draws random numbers outside ops (random ops such as dropout replay). Keep it to ops on its inputs ` +
          `(see compile's documentation), or train it eagerly`,
      );
    }
    return updated;
  }

  private setGrads(compiled: Compiled): void {
    const { params } = compiled.program;
    for (let i = 0; i < params.length; i++) params[i].grad = compiled.gradTensors[i];
  }
}

/** The parameters an update moved changed in place: an eager graph built before refuses them (versions). */
function markMoved(update: UpdatePlan): void {
  for (const item of update.items) item.param.markChanged();
}

/** The returned tensors as a list, the loss first. */
function outputList(returned: StepOutputs): Tensor[] {
  if (returned instanceof Tensor) return [returned];
  if (typeof returned !== 'object' || returned === null || !(returned.loss instanceof Tensor)) {
    throw new GradlabError('compile: the step function must return the loss tensor, or an object { loss, ...tensors }');
  }
  const rest = Object.keys(returned).filter((key) => key !== 'loss');
  return [returned.loss, ...rest.map((key) => {
    const t = returned[key];
    if (!(t instanceof Tensor)) throw new GradlabError(`compile: the step function returned '${key}', which is not a Tensor`);
    return t;
  })];
}

/** What run() returns: the same shape as the step's result, over the program's buffers (no graph). */
function programOutputs(returned: StepOutputs, program: Program): StepOutputs {
  const view = (t: Tensor) => (program.sources.get(t)?.kind === 'computed' ? new Tensor(t.data, t.shape) : t);
  if (returned instanceof Tensor) return view(returned);
  const out: Record<string, Tensor> = {};
  for (const key of Object.keys(returned)) out[key] = view(returned[key]);
  return out as StepOutputs;
}

/** The parameters in the order ops first read them. */
function parametersInOrder(tape: readonly TapeEntry[], gradOf: ReadonlyMap<Tensor, Tensor>): Tensor[] {
  const params: Tensor[] = [];
  for (const entry of tape) for (const x of entry.inputs) if (gradOf.has(x) && !params.includes(x)) params.push(x);
  for (const t of gradOf.keys()) if (!params.includes(t)) params.push(t);
  return params;
}

/** The first element where two lists of arrays differ (as bits), described; or null. */
function differs(what: string, expected: readonly Float64Array[], actual: readonly Float64Array[]): string | null {
  if (expected.length !== actual.length) return `${what}s: ${expected.length} eager, ${actual.length} replayed`;
  for (let i = 0; i < expected.length; i++) {
    if (expected[i].length !== actual[i].length) return `${what} ${i}: ${expected[i].length} values eager, ${actual[i].length} replayed`;
    for (let k = 0; k < expected[i].length; k++) {
      if (!Object.is(expected[i][k], actual[i][k])) return `${what} ${i}, element ${k}: ${expected[i][k]} eager, ${actual[i][k]} replayed`;
    }
  }
  return null;
}
