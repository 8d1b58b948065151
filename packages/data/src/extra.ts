// Classic 2-D toy sets for the demo, all placed in (or, after jitter, near) the lab's input
// square [0, 1]², so the same plots and decision-boundary pictures work for every set.
//
// Every set draws from `createRng(seed)`, point by point, in this order: the label is
// i mod k, k the number of classes (2, or the `classes` option of spiral and gaussians; so the
// classes take turns and differ in size by at most one), then the set's
// geometry draws (below), then two standard normals zx, zy. The point is
//   (x0, x1) = (exact point on the geometry) + noise·(zx, zy),
// so for one seed, `noise` only scales the jitter: noise 0 puts every point exactly on the
// geometry, and a larger noise moves the same points further along the same directions.
//
// Geometry (u, v uniform in [0, 1); c = (0.5, 0.5) is the square's centre):
// - circle:    label 0: a disc of radius 0.2 about c, uniform in area: r = 0.2·√u, θ = 2πv.
//              label 1: a ring 0.3 ≤ r < 0.45 about c, uniform in area:
//              r = √(0.3² + (0.45² − 0.3²)·u), θ = 2πv. Point c + r(cos θ, sin θ).
// - spiral:    k Archimedean spirals (arms) about c, 1.75 turns each, arm j turned by 2πj/k:
//              s = u, r = 0.45·s, θ = 1.75·2π·s + label·(2π/k). Point c + r(cos θ, sin θ).
//              (For k = 2, 2π/k is π exactly, so the two-arm set is the one gradlab always made.)
// - moons:     scikit-learn's make_moons scaled by 1/3 into the square: two half circles of
//              radius 1/3, t = π·u. Label 0: centre (1/3, 5/12), point centre + (cos t, sin t)/3
//              (the upper half). Label 1: centre (2/3, 7/12), point centre − (cos t, sin t)/3
//              (the lower half). Moon 0 spans x ∈ [0, 2/3], y ∈ [5/12, 3/4]; moon 1 spans
//              x ∈ [1/3, 1], y ∈ [1/4, 7/12].
// - gaussians: k isotropic gaussian clusters; the jitter is the cluster's spread (std = noise),
//              so noise 0 puts every point on its centre. No geometry draws. k = 2: label 0
//              about (0.3, 0.3), label 1 about (0.7, 0.7). k ≥ 3: centre j on the circle of
//              radius 0.3 about c at angle 5π/4 + 2πj/k (class 0 bottom left, as for k = 2,
//              then counter-clockwise).
import { createRng, type Rng } from '@gradlab/core';
import { makeDataset, type Dataset } from './dataset.ts';
import { checkClasses, checkN, checkNoise, checkSeed } from './validate.ts';

/** Options of the extra sets: the seed, and the std of the gaussian jitter (in square units). */
export interface NoisyOptions {
  seed?: number;
  noise?: number;
}

/** Options of the sets with any number of classes (spiral, gaussians): NoisyOptions and k. */
export interface MultiClassOptions extends NoisyOptions {
  /** The number of classes k ≥ 2 (default 2); labels are the class indices 0…k−1. */
  classes?: number;
}

/** Default jitter per set: enough to look natural, small enough to stay separable. */
export const defaultNoise = { circle: 0.02, spiral: 0.02, moons: 0.03, gaussians: 0.1 } as const;

type Place = (label: number, rng: Rng) => readonly [number, number];

/** The shared loop: label i mod k, the exact point from `place`, then noise·(zx, zy). */
function sample(name: string, fn: string, n: number, seed: number, noise: number, place: Place, classes = 2): Dataset {
  checkN(fn, n);
  checkSeed(fn, seed);
  checkNoise(fn, noise);
  checkClasses(fn, classes);
  const rng = createRng(seed);
  const points = new Float64Array(2 * n);
  const labels = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const label = i % classes;
    const [x0, x1] = place(label, rng);
    points[2 * i] = x0 + noise * rng.normal();
    points[2 * i + 1] = x1 + noise * rng.normal();
    labels[i] = label;
  }
  return makeDataset(name, points, labels, { classes });
}

const TAU = 2 * Math.PI;

/** Label 0: a disc of radius 0.2 about (0.5, 0.5); label 1: the ring 0.3 ≤ r < 0.45 around it. */
export function generateCircle(n = 100, { seed = 1, noise = defaultNoise.circle }: NoisyOptions = {}): Dataset {
  return sample('circle', 'generateCircle', n, seed, noise, (label, rng) => {
    const u = rng.next();
    const theta = TAU * rng.next();
    const r = label === 0 ? 0.2 * Math.sqrt(u) : Math.sqrt(0.3 ** 2 + (0.45 ** 2 - 0.3 ** 2) * u);
    return [0.5 + r * Math.cos(theta), 0.5 + r * Math.sin(theta)];
  });
}

/**
 * k interleaved spirals (arms) about (0.5, 0.5), k = `classes` (default 2): r = 0.45·s,
 * θ = 3.5π·s + label·2π/k, s ∈ [0, 1). Labels are the arm indices 0…k−1, point i on arm i mod k.
 */
export function generateSpiral(n = 100, { seed = 1, noise = defaultNoise.spiral, classes = 2 }: MultiClassOptions = {}): Dataset {
  const turn = TAU / classes;
  return sample('spiral', 'generateSpiral', n, seed, noise, (label, rng) => {
    const s = rng.next();
    const r = 0.45 * s;
    const theta = 1.75 * TAU * s + label * turn;
    return [0.5 + r * Math.cos(theta), 0.5 + r * Math.sin(theta)];
  }, classes);
}

/** Two interlocking half circles of radius 1/3 (make_moons scaled into the square). */
export function generateMoons(n = 100, { seed = 1, noise = defaultNoise.moons }: NoisyOptions = {}): Dataset {
  return sample('moons', 'generateMoons', n, seed, noise, (label, rng) => {
    const t = Math.PI * rng.next();
    return label === 0
      ? [1 / 3 + Math.cos(t) / 3, 5 / 12 + Math.sin(t) / 3]
      : [2 / 3 - Math.cos(t) / 3, 7 / 12 - Math.sin(t) / 3];
  });
}

/** Centre of cluster j of k: the diagonal pair for k = 2, else evenly on a circle (see above). */
function gaussianCentre(j: number, k: number): readonly [number, number] {
  if (k === 2) return j === 0 ? [0.3, 0.3] : [0.7, 0.7];
  const angle = 1.25 * Math.PI + (TAU * j) / k;
  return [0.5 + 0.3 * Math.cos(angle), 0.5 + 0.3 * Math.sin(angle)];
}

/**
 * k = `classes` gaussian clusters with std `noise` (default k = 2: label 0 about (0.3, 0.3),
 * label 1 about (0.7, 0.7)); for k ≥ 3 the centres sit on the circle of radius 0.3 about
 * (0.5, 0.5), centre j at angle 5π/4 + 2πj/k. Point i belongs to cluster i mod k.
 */
export function generateGaussians(n = 100, { seed = 1, noise = defaultNoise.gaussians, classes = 2 }: MultiClassOptions = {}): Dataset {
  return sample('gaussians', 'generateGaussians', n, seed, noise, (label) => gaussianCentre(label, classes), classes);
}
