// Every data set by name, so a CLI flag or a web page's <select> can offer them.
import { GradlabError } from '@gradlab/core';
import { generateLinear } from './linear.ts';
import { generateXOREasy } from './xor.ts';
import { generateCircle, generateGaussians, generateMoons, generateSpiral, type MultiClassOptions } from './extra.ts';
import { generateBlobs } from './blobs.ts';
import type { Dataset } from './dataset.ts';
import { checkClasses, checkN, checkNoise, checkSeed } from './validate.ts';

/** The names `generateDataset` accepts, in the order a menu should list them (the lab's first). */
export const datasetNames = ['xor', 'linear', 'circle', 'spiral', 'moons', 'gaussians', 'blobs'] as const;
export type DatasetName = (typeof datasetNames)[number];

export interface DatasetOptions extends MultiClassOptions {
  /** Number of points (default 100). */
  n?: number;
}

export interface DatasetInfo {
  name: DatasetName;
  /** One line for a menu or `--help`. */
  description: string;
  /**
   * The options this set uses; it ignores the others (so a UI can disable their controls).
   * A set that uses 'classes' takes any k ≥ 2; the others have 2 classes and reject any other k.
   */
  uses: readonly (keyof DatasetOptions)[];
  generate(options?: DatasetOptions): Dataset;
}

/**
 * The registry. 'xor' is the lab's fixed 21-point XOR-easy: it ignores n, seed and noise. Every
 * set has 2 classes unless `classes` says otherwise (also 'blobs', whose generator alone defaults
 * to make_blobs's 3), so a binary model works on any name.
 */
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
    description: 'interleaved spirals, one arm per class (2 by default)',
    uses: ['n', 'seed', 'noise', 'classes'],
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
    description: 'gaussian clusters, one per class (2 by default; noise is their std)',
    uses: ['n', 'seed', 'noise', 'classes'],
    generate: ({ n, ...options } = {}) => generateGaussians(n, options),
  },
  blobs: {
    name: 'blobs',
    description: "scikit-learn's make_blobs in the square: clusters at random centres (noise is their std)",
    uses: ['n', 'seed', 'noise', 'classes'],
    generate: ({ n, seed, noise, classes = 2 } = {}) => generateBlobs(n, { seed, classes, std: noise }),
  },
};

export function isDatasetName(name: string): name is DatasetName {
  return (datasetNames as readonly string[]).includes(name);
}

/**
 * The data set called `name`, made with `options` (defaults as in each generator, but 2 classes
 * for 'blobs' too). Options a set ignores (n, seed and noise for 'xor', noise for 'linear') are
 * still checked, so a bad value is an error whichever set it is given to; `classes` other than 2
 * is an error for the two-class sets. An unknown name is an error listing the names.
 */
export function generateDataset(name: string, options: DatasetOptions = {}): Dataset {
  if (!isDatasetName(name)) {
    throw new GradlabError(`generateDataset: unknown dataset ${JSON.stringify(name)}; valid names: ${datasetNames.join(', ')}`);
  }
  const { n, seed, noise, classes } = options;
  if (n !== undefined) checkN('generateDataset', n);
  if (seed !== undefined) checkSeed('generateDataset', seed);
  if (noise !== undefined) checkNoise('generateDataset', noise);
  if (classes !== undefined) {
    checkClasses('generateDataset', classes);
    if (classes !== 2 && !datasets[name].uses.includes('classes')) {
      throw new GradlabError(`generateDataset: ${JSON.stringify(name)} has 2 classes, got classes ${classes} (sets with any number: ${datasetNames.filter((d) => datasets[d].uses.includes('classes')).join(', ')})`);
    }
  }
  return datasets[name].generate(options);
}
