// scikit-learn's make_blobs, scaled into the lab's square: k isotropic gaussian clusters in d
// dimensions. make_blobs draws its centres uniformly in the box (−10, 10) per feature and gives
// each cluster std 1; scaled by 1/20 and shifted, that is the box [0, 1) and std 0.05 here.
//
// Draws from `createRng(seed)`, in this order: unless `centers` is given, the k centres, centre j
// feature f as lo + (hi − lo)·u (u uniform in [0, 1), j then f); then point by point: the label
// i mod k (classes take turns, sizes differ by at most one), then d standard normals z, and the
// point is centre[label] + std[label]·z.
import { createRng, GradlabError } from '@gradlab/core';
import { makeDataset, type Dataset } from './dataset.ts';
import { checkClasses, checkN, checkSeed, describeValue } from './validate.ts';

export interface BlobsOptions {
  /** Seed of the centres and the points (default 1). */
  seed?: number;
  /** Number of clusters k ≥ 2 (default 3, as make_blobs; or `centers.length` if centres are given). */
  classes?: number;
  /** Number of features d (default 2; or the length of each given centre). */
  features?: number;
  /** The clusters' std: one for all, or one per cluster (default 0.05, make_blobs's 1 scaled). */
  std?: number | readonly number[];
  /** The centres, one list of d numbers per cluster; default: drawn uniformly in `centerBox`. */
  centers?: readonly (readonly number[])[];
  /** The box [lo, hi) the drawn centres lie in, per feature (default [0, 1]). */
  centerBox?: readonly [number, number];
}

const FN = 'generateBlobs';
const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isList = (v: unknown): v is readonly unknown[] => Array.isArray(v);

/**
 * k gaussian clusters in d dimensions (make_blobs scaled into [0, 1)): inputs [n, d], labels
 * [n, 1] holding the cluster index 0…k−1, `classes` k. Point i belongs to cluster i mod k.
 */
export function generateBlobs(n = 100, options: BlobsOptions = {}): Dataset {
  const { seed = 1, std = 0.05, centers, centerBox = [0, 1] } = options;
  checkN(FN, n);
  checkSeed(FN, seed);
  if (centers !== undefined) {
    if (!isList(centers) || centers.length === 0 || !centers.every((c) => isList(c) && c.length > 0 && c.every(finite))) {
      throw new GradlabError(`${FN}: centers must be a non-empty list of lists of finite numbers, got ${describeValue(centers)}`);
    }
    if (!centers.every((c) => c.length === centers[0].length)) {
      throw new GradlabError(`${FN}: every centre needs the same number of features, got lengths ${centers.map((c) => c.length).join(', ')}`);
    }
  }
  const classes = options.classes ?? centers?.length ?? 3;
  const features = options.features ?? centers?.[0].length ?? 2;
  checkClasses(FN, classes);
  if (!Number.isSafeInteger(features) || features < 1) throw new GradlabError(`${FN}: features must be a positive integer, got ${describeValue(features)}`);
  if (centers !== undefined && (centers.length !== classes || centers[0].length !== features)) {
    throw new GradlabError(`${FN}: ${centers.length} centres of ${centers[0].length} features do not match classes ${classes} and features ${features}`);
  }
  const stds: readonly number[] = typeof std === 'number' ? new Array<number>(classes).fill(std) : std;
  if (!isList(stds) || stds.length !== classes || !stds.every((s) => finite(s) && s >= 0)) {
    throw new GradlabError(`${FN}: std must be a finite number >= 0 or a list of ${classes} of them, got ${describeValue(std)}`);
  }
  const [lo, hi] = isList(centerBox) ? centerBox : [Number.NaN, Number.NaN];
  if (!finite(lo) || !finite(hi) || !(lo <= hi)) throw new GradlabError(`${FN}: centerBox must be [lo, hi] with finite lo <= hi, got ${describeValue(centerBox)}`);

  const rng = createRng(seed);
  const centre = new Float64Array(classes * features);
  for (let j = 0; j < classes; j++) {
    for (let f = 0; f < features; f++) centre[j * features + f] = centers ? centers[j][f] : lo + (hi - lo) * rng.next();
  }
  const points = new Float64Array(n * features);
  const labels = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const label = i % classes;
    for (let f = 0; f < features; f++) points[i * features + f] = centre[label * features + f] + stds[label] * rng.normal();
    labels[i] = label;
  }
  return makeDataset('blobs', points, labels, { classes, features });
}
