// @gradlab/data: the lab's datasets and extra 2-D toy sets.
// createRng lives in @gradlab/core; re-exported here so that existing imports keep working
export { createRng, type Rng } from '@gradlab/core';
export { toRows, classCount, type Dataset } from './dataset.ts';
export { generateLinear } from './linear.ts';
export { generateXOREasy } from './xor.ts';
export { generateCircle, generateSpiral, generateMoons, generateGaussians, defaultNoise, type NoisyOptions, type MultiClassOptions } from './extra.ts';
export { generateBlobs, type BlobsOptions } from './blobs.ts';
export {
  datasets,
  datasetNames,
  generateDataset,
  isDatasetName,
  type DatasetName,
  type DatasetOptions,
  type DatasetInfo,
} from './registry.ts';
export { TensorDataset, DataLoader, randomSplit, trainTestSplit, permutation, type IndexedDataset, type DataLoaderOptions } from './loader.ts';
export { Standardizer, standardize, type StandardizerJSON } from './standardize.ts';
export { Normalizer, normalize, type NormalizerJSON } from './normalize.ts';
export { loadDigits, loadIris, type ClassificationData, type ClassificationSplit, type LoadOptions } from './real/load.ts';
export { parseCsv, type CsvOptions, type CsvData } from './csv.ts';
export { parseNpy } from './npy.ts';
