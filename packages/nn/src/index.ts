// @gradlab/nn: modules, losses and optimizers over @gradlab/core. Browser-safe; file I/O is in
// '@gradlab/nn/node'.
export { Module, StateDictError, type ModuleConfig, type StateDict, type ParameterState } from './module.ts';
export { Dense, DENSE_INITS, type DenseInit, type DenseOptions } from './dense.ts';
export { Sigmoid, Tanh, ReLU, LeakyReLU, Identity } from './activations.ts';
export { Sequential } from './sequential.ts';
export { mseLoss, bceLoss, MSELoss, BCELoss, BCE_EPSILON } from './losses.ts';
export { Optimizer } from './optim/optimizer.ts';
export { SGD, type SGDOptions } from './optim/sgd.ts';
export { Adam, type AdamOptions } from './optim/adam.ts';
export { mlp, activationModule, ACTIVATIONS, type ActivationName, type MlpOptions } from './mlp.ts';
export { modelToJSON, modelFromJSON, moduleFromConfig, MODEL_FORMAT, MODEL_VERSION, type ModelJSON } from './serialize.ts';
