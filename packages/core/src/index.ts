// @gradlab/core: tensors, the graph, ops with their local-derivative rules, backward,
// gradient checking, graph inspection, compiled steps and seeded randomness. Loading it attaches
// the fluent methods (methods.ts) and the fast backward rules (fast/index.ts).
import './methods.ts';
import './fast/index.ts';

export {
  Tensor,
  tensor,
  zeros,
  ones,
  full,
  rand,
  randn,
  toTensor,
  type TensorLike,
  type TensorOptions,
  type DType,
  type FloatArray,
  type NestedArray,
  type NumericArray,
} from './tensor.ts';
export { createRng, type Rng, type RandomSource } from './random.ts';
export * from './ops/index.ts';
export { noGrad, enableGrad, isGradEnabled, detectAnomaly, setAnomalyDetection, isAnomalyDetectionEnabled } from './modes.ts';
export {
  Op,
  defineOp,
  peek,
  recordOps,
  type AppliedOpListener,
  type OpSpec,
  type DerivativeRule,
  type NotDifferentiable,
  type LocalContext,
  type GradientContext,
  type LocalDerivative,
  type JacobianEntry,
} from './op.ts';
export {
  backward,
  grad,
  zeroGrad,
  topologicalOrder,
  type BackwardOptions,
  type GradOptions,
  type WalkObserver,
} from './autograd.ts';
export { formatShape, sizeOf, broadcastShapes, MAX_ELEMENTS, type Shape } from './shape.ts';
export { GradlabError } from './errors.ts';
export { compile, CompiledStep, type CompileOptions, type ParameterSource, type StepOutputs } from './compile/compile.ts';
export type { FusableOptimizer, ParameterUpdate, UpdateRule } from './compile/update.ts';
export { setNumThreads, getNumThreads, matmulThreadsReady, matmulThreadInfo, type MatmulThreadInfo } from './ops/matmulThreads.ts';
export { gradcheck, type GradcheckOptions, type GradcheckResult, type GradcheckMismatch } from './gradcheck.ts';
export {
  trace,
  toDot,
  explainGradient,
  backwardSteps,
  localDerivatives,
  edgeJacobian,
  nodeLabel,
  formatValues,
  formatIndex,
  type NodeInfo,
  type DotOptions,
  type ChainStep,
  type ChainPath,
  type GradientExplanation,
  type BackwardStep,
  type BackwardContribution,
} from './inspect.ts';
