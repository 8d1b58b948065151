// @gradlab/data: the lab's datasets, extra 2-D toy sets, and seeded randomness.
export { createRng, type Rng } from './random.ts';
export { toRows, type Dataset } from './dataset.ts';
export { generateLinear } from './linear.ts';
export { generateXOREasy } from './xor.ts';
export { generateCircle, generateSpiral, generateMoons, generateGaussians, defaultNoise, type NoisyOptions } from './extra.ts';
export {
  datasets,
  datasetNames,
  generateDataset,
  isDatasetName,
  type DatasetName,
  type DatasetOptions,
  type DatasetInfo,
} from './registry.ts';
