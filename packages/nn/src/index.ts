// @gradlab/nn: modules, losses, optimizers, schedulers and metrics over @gradlab/core.
// Browser-safe; file I/O is in '@gradlab/nn/node'.
export { Module, StateDictError, type AnyModule, type ModuleConfig, type StateDict, type ParameterState } from './module.ts';
export { Dense, DENSE_INITS, type DenseInit, type DenseOptions } from './dense.ts';
export { Linear, type LinearOptions } from './linear.ts';
export { Sigmoid, Tanh, ReLU, LeakyReLU, Identity, Softmax, LogSoftmax, GELU, ELU, Softplus, Flatten } from './activations.ts';
export { BatchNormBase, BatchNorm1d, BatchNorm2d, LayerNorm, type BatchNormOptions, type LayerNormOptions } from './normalization.ts';
export { ConvNd, Conv1d, Conv2d, type ConvLayerOptions, type SizeArg } from './conv.ts';
export { MaxPool2d, AvgPool2d, type MaxPool2dOptions, type AvgPool2dOptions } from './pooling.ts';
export { Dropout, type DropoutLayerOptions } from './dropout.ts';
export * as init from './init.ts';
export {
  xavierUniform,
  xavierNormal,
  kaimingUniform,
  kaimingNormal,
  calculateGain,
  fanInAndFanOut,
  type InitRandomOptions,
  type XavierOptions,
  type KaimingOptions,
  type Nonlinearity,
} from './init.ts';
export { Embedding, type EmbeddingOptions } from './embedding.ts';
export { RecurrentCell, RNNCell, GRUCell, RNN, type RecurrentCellOptions, type RNNCellOptions, type RNNOptions } from './recurrent.ts';
export { Sequential } from './sequential.ts';
export {
  mseLoss,
  l1Loss,
  huberLoss,
  bceLoss,
  bceWithLogitsLoss,
  nllLoss,
  crossEntropyLoss,
  MSELoss,
  L1Loss,
  HuberLoss,
  BCELoss,
  BCEWithLogitsLoss,
  NLLLoss,
  CrossEntropyLoss,
  BCE_EPSILON,
  type Reduction,
  type LossOptions,
  type HuberOptions,
  type BCEOptions,
  type BCEWithLogitsOptions,
  type NLLOptions,
  type CrossEntropyOptions,
} from './losses.ts';
export {
  Optimizer,
  type GroupOptions,
  type ParamGroup,
  type ParamGroupInput,
  type ParameterOptimizerState,
  type OptimizerStateDict,
} from './optim/optimizer.ts';
export { SGD, type SGDOptions } from './optim/sgd.ts';
export { Adam, AdamW, type AdamOptions } from './optim/adam.ts';
export { RMSprop, type RMSpropOptions } from './optim/rmsprop.ts';
export { Adagrad, type AdagradOptions } from './optim/adagrad.ts';
export { clipGradNorm, clipGradValue, type ClipGradNormOptions } from './optim/clip.ts';
export {
  LRScheduler,
  StepLR,
  ExponentialLR,
  CosineAnnealingLR,
  OneCycleLR,
  ReduceLROnPlateau,
  type AnyOptimizer,
  type SchedulerStateDict,
  type StepLROptions,
  type CosineAnnealingOptions,
  type OneCycleOptions,
  type ReduceLROnPlateauOptions,
} from './optim/scheduler.ts';
export { mlp, activationModule, ACTIVATIONS, type ActivationName, type MlpOptions } from './mlp.ts';
export {
  modelToJSON,
  modelFromJSON,
  moduleFromConfig,
  registerModule,
  unregisterModule,
  moduleKinds,
  MODEL_FORMAT,
  MODEL_VERSION,
  MAX_DEPTH,
  MAX_MODULES,
  type ModelJSON,
  type ModuleFactory,
  type ModuleClassWithConfig,
} from './serialize.ts';
export { accuracy, confusionMatrix, classificationReport, type MetricOptions, type ClassReport } from './metrics.ts';
