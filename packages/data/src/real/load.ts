// Real data shipped with the package: the UCI handwritten digits and Fisher's iris, from the
// files in datasets/ (origin, licence and checksums in datasets/DATASETS.md), embedded as
// TypeScript modules so that loading is synchronous and needs no file system.
//
// The split is stratified and seeded: for each class c = 0, 1, …, in turn, the rows of class c
// (in file order) are shuffled by Fisher–Yates with one `createRng(seed)` shared by all classes,
// and the first round(n_c·testFraction) of them go to the test set, the rest to training. Each
// split then lists its rows in file order (`rows` gives each sample's file row), so the same
// seed and fraction give the same split, sample for sample. Shuffle for training with DataLoader.
import { createRng, GradlabError, Tensor } from '@gradlab/core';
import { shuffleInPlace } from '../loader.ts';
import { describeValue } from '../validate.ts';
import { DIGITS_BASE64, DIGITS_ROWS } from './digits-data.ts';
import { IRIS_CLASS_NAMES, IRIS_FEATURES, IRIS_LABELS } from './iris-data.ts';

/** One split: features x [n, prod(featureShape)], class indices y [n] (as float64). */
export interface ClassificationSplit {
  /** The samples, one flattened row each, shape [n, prod(featureShape)], float64. */
  x: Tensor;
  /** The class index of each sample as a float64, shape [n]. */
  y: Tensor;
  /** The file row (0-based, header not counted) of each sample. */
  rows: Int32Array;
}

/** A classification data set with its fixed train/test split. */
export interface ClassificationData {
  /** 'digits' or 'iris'. */
  name: string;
  /** The number of classes k; y holds 0…k−1. */
  classes: number;
  /** The name of each class, by index. */
  classNames: string[];
  /** The shape of one sample before flattening: [1, 8, 8] for digits (channels, height, width), [4] for iris. */
  featureShape: number[];
  train: ClassificationSplit;
  test: ClassificationSplit;
}

export interface LoadOptions {
  /** The share of each class held out for testing, in (0, 1) (default 0.2). */
  testFraction?: number;
  /** Seed of the split (default 0). */
  seed?: number;
}

function checkOptions(fn: string, { testFraction = 0.2, seed = 0 }: LoadOptions): { testFraction: number; seed: number } {
  if (typeof testFraction !== 'number' || !(testFraction > 0 && testFraction < 1)) {
    throw new GradlabError(`${fn}: testFraction must be a number in (0, 1), got ${describeValue(testFraction)}`);
  }
  if (!Number.isInteger(seed)) throw new GradlabError(`${fn}: seed must be an integer, got ${describeValue(seed)}`);
  return { testFraction, seed };
}

/** The stratified seeded split of rows 0…n−1 (see the top of this file): [train rows, test rows]. */
export function stratifiedSplit(labels: ArrayLike<number>, classes: number, testFraction: number, seed: number): [Int32Array, Int32Array] {
  const rng = createRng(seed);
  const test: number[] = [];
  for (let c = 0; c < classes; c++) {
    const members: number[] = [];
    for (let i = 0; i < labels.length; i++) if (labels[i] === c) members.push(i);
    const order = Int32Array.from(members);
    shuffleInPlace(order, rng);
    test.push(...order.subarray(0, Math.round(members.length * testFraction)));
  }
  const inTest = new Uint8Array(labels.length);
  for (const i of test) inTest[i] = 1;
  const train: number[] = [];
  for (let i = 0; i < labels.length; i++) if (!inTest[i]) train.push(i);
  return [Int32Array.from(train), Int32Array.from(test).sort()];
}

function gather(features: ArrayLike<number>, labels: ArrayLike<number>, width: number, rows: Int32Array): ClassificationSplit {
  const x = new Float64Array(rows.length * width);
  const y = new Float64Array(rows.length);
  rows.forEach((r, k) => {
    for (let j = 0; j < width; j++) x[k * width + j] = features[r * width + j];
    y[k] = labels[r];
  });
  return { x: new Tensor(x, [rows.length, width]), y: new Tensor(y, [rows.length]), rows };
}

function build(
  name: string,
  classNames: string[],
  featureShape: number[],
  features: ArrayLike<number>,
  labels: ArrayLike<number>,
  testFraction: number,
  seed: number,
): ClassificationData {
  const width = featureShape.reduce((a, b) => a * b, 1);
  const [train, test] = stratifiedSplit(labels, classNames.length, testFraction, seed);
  return {
    name,
    classes: classNames.length,
    classNames,
    featureShape,
    train: gather(features, labels, width, train),
    test: gather(features, labels, width, test),
  };
}

let digitBytes: Uint8Array | undefined;

/** The embedded digits: 1,797×64 pixels, then 1,797 labels, one byte each. */
function digitsBytes(): Uint8Array {
  if (digitBytes === undefined) {
    const text = atob(DIGITS_BASE64);
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    digitBytes = bytes;
  }
  return digitBytes;
}

/** The whole digits set, file order: pixels [1797·64] (0..16) and labels [1797] (0..9). */
export function digitsArrays(): { pixels: Uint8Array; labels: Uint8Array } {
  const bytes = digitsBytes();
  return { pixels: bytes.subarray(0, DIGITS_ROWS * 64), labels: bytes.subarray(DIGITS_ROWS * 64) };
}

/**
 * The UCI handwritten digits (scikit-learn's copy: 1,797 images of 8×8 pixels, values 0..16, ten
 * classes '0'…'9', about 180 each), split stratified by `seed` (default 0) with `testFraction`
 * (default 0.2) of each class in the test set: 1,438 training and 359 test images by default.
 * x is [n, 64] (row-major 8×8; featureShape [1, 8, 8], so `x.reshape([n, 1, 8, 8])` feeds a
 * Conv2d), y is [n] class indices as float64. Synchronous; no file system needed.
 */
export function loadDigits(options: LoadOptions = {}): ClassificationData {
  const { testFraction, seed } = checkOptions('loadDigits', options);
  const { pixels, labels } = digitsArrays();
  const names = Array.from({ length: 10 }, (_, d) => String(d));
  return build('digits', names, [1, 8, 8], pixels, labels, testFraction, seed);
}

/**
 * Fisher's iris (scikit-learn's copy, as in R; UCI's copy differs in two rows): 150 flowers,
 * 4 measurements in cm (sepal length, sepal width, petal length, petal width), classes setosa,
 * versicolor, virginica (50 each), split stratified by `seed` with `testFraction` of each class
 * in the test set (120 / 30 by default). x [n, 4], y [n]. Synchronous; no file system needed.
 */
export function loadIris(options: LoadOptions = {}): ClassificationData {
  const { testFraction, seed } = checkOptions('loadIris', options);
  return build('iris', [...IRIS_CLASS_NAMES], [4], IRIS_FEATURES, IRIS_LABELS, testFraction, seed);
}
