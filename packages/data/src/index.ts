// @gradlab/data: the lab's datasets and seeded randomness.
export { createRng, type Rng } from './random.ts';
