// Every data set by name, so a CLI flag or a web page's <select> can offer them.
import { GradlabError } from '@gradlab/core';
import { generateLinear } from './linear.ts';
import { generateXOREasy } from './xor.ts';
import { generateCircle, generateGaussians, generateMoons, generateSpiral, type NoisyOptions } from './extra.ts';
import type { Dataset } from './dataset.ts';
import { checkN, checkNoise, checkSeed } from './validate.ts';

/** The names `generateDataset` accepts, in the order a menu should list them (the lab's first). */
export const datasetNames = ['xor', 'linear', 'circle', 'spiral', 'moons', 'gaussians'] as const;
export type DatasetName = (typeof datasetNames)[number];

export interface DatasetOptions extends NoisyOptions {
  /** Number of points (default 100). */
  n?: number;
}

export interface DatasetInfo {
  name: DatasetName;
  /** One line for a menu or `--help`. */
  description: string;
  /** The options this set uses; it ignores the others (so a UI can disable their controls). */
  uses: readonly (keyof DatasetOptions)[];
  generate(options?: DatasetOptions): Dataset;
}

/** The registry. 'xor' is the lab's fixed 21-point XOR-easy: it ignores n, seed and noise. */
export const datasets: Readonly<Record<DatasetName, DatasetInfo>> = {
  xor: {
    name: 'xor',
    description: "the lab's XOR-easy: 21 points on the square's two diagonals (n, seed, noise ignored)",
    uses: [],
    generate: () => generateXOREasy(),
  },
  linear: {
    name: 'linear',
    description: "the lab's linear set: uniform points, label 0 below the diagonal (noise ignored)",
    uses: ['n', 'seed'],
    generate: ({ n, seed } = {}) => generateLinear(n, { seed }),
  },
  circle: {
    name: 'circle',
    description: 'a disc (label 0) inside a ring (label 1)',
    uses: ['n', 'seed', 'noise'],
    generate: ({ n, ...options } = {}) => generateCircle(n, options),
  },
  spiral: {
    name: 'spiral',
    description: 'two interleaved spirals',
    uses: ['n', 'seed', 'noise'],
    generate: ({ n, ...options } = {}) => generateSpiral(n, options),
  },
  moons: {
    name: 'moons',
    description: 'two interlocking half circles',
    uses: ['n', 'seed', 'noise'],
    generate: ({ n, ...options } = {}) => generateMoons(n, options),
  },
  gaussians: {
    name: 'gaussians',
    description: 'two gaussian clusters (noise is their std)',
    uses: ['n', 'seed', 'noise'],
    generate: ({ n, ...options } = {}) => generateGaussians(n, options),
  },
};

export function isDatasetName(name: string): name is DatasetName {
  return (datasetNames as readonly string[]).includes(name);
}

/**
 * The data set called `name`, made with `options` (defaults as in each generator). Options a
 * set ignores (n, seed and noise for 'xor', noise for 'linear') are still checked, so a bad
 * value is an error whichever set it is given to. An unknown name is an error listing the names.
 */
export function generateDataset(name: string, options: DatasetOptions = {}): Dataset {
  if (!isDatasetName(name)) {
    throw new GradlabError(`generateDataset: unknown dataset ${JSON.stringify(name)}; valid names: ${datasetNames.join(', ')}`);
  }
  const { n, seed, noise } = options;
  if (n !== undefined) checkN('generateDataset', n);
  if (seed !== undefined) checkSeed('generateDataset', seed);
  if (noise !== undefined) checkNoise('generateDataset', noise);
  return datasets[name].generate(options);
}
