// @gradlab/core: tensors, the graph, ops with their local-derivative rules, backward,
// gradient checking and graph inspection.
// the Tensor methods of the ops in ops/methods-extra.ts (defined on Tensor.prototype when loaded)
import './ops/methods-extra.ts';
export {
  Tensor,
  tensor,
  zeros,
  ones,
  full,
  rand,
  randn,
  toTensor,
  isTensor,
  type TensorLike,
  type TensorOptions,
  type NestedArray,
  type RandomSource,
} from './tensor.ts';
export * from './ops/index.ts';
export {
  Op,
  defineOp,
  noGrad,
  isGradEnabled,
  detectAnomaly,
  setAnomalyDetection,
  isAnomalyDetectionEnabled,
  type OpSpec,
  type DerivativeRule,
  type NotDifferentiable,
  type LocalContext,
  type GradientContext,
  type LocalDerivative,
  type JacobianEntry,
} from './op.ts';
export { backward, grad, zeroGrad, topologicalOrder, type BackwardOptions, type GradOptions } from './backward.ts';
export { formatShape, sizeOf, broadcastShapes, type Shape } from './shape.ts';
export { compile, CompiledStep, type CompileOptions, type StepOutputs } from './compile/compile.ts';
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
