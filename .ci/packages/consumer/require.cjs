// CommonJS: the packages are ESM only; Node 20.19 and later load them with require() (require(esm)).
const { tensor } = require('@gradlab/core');
const { mlp } = require('@gradlab/nn');
const y = mlp([2, 3, 1], { seed: 1 }).forward(tensor([[0, 1]]));
console.log(`require: ok, output shape [${y.shape.join(', ')}]`);
