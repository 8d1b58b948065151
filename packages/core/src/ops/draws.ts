// Where random ops (dropout's mask) get their uniform numbers: from their own RandomSource,
// except while compile checks a replay against the eager step, when the replay must draw what
// the eager run drew. compile (compile/compile.ts) records the eager run's draws and replays them
// through this seam; nothing else touches it.
import type { RandomSource } from '../tensor.ts';

type Mode = { readonly record: number[] } | { readonly replay: readonly number[]; at: number };

let mode: Mode | null = null;

/** A uniform number in [0, 1) for a random op: source.next(), unless draws are recorded or replayed. */
export function draw(source: RandomSource): number {
  if (mode === null) return source.next();
  if ('record' in mode) {
    const u = source.next();
    mode.record.push(u);
    return u;
  }
  return mode.replay[mode.at++];
}

/** Runs fn, keeping every number random ops draw meanwhile (they still draw from their sources). */
export function recordDraws<T>(fn: () => T): { value: T; draws: number[] } {
  const previous = mode;
  const draws: number[] = [];
  mode = { record: draws };
  try {
    return { value: fn(), draws };
  } finally {
    mode = previous;
  }
}

/** Runs fn with random ops drawing `draws` in order instead of from their sources; false if fn drew another count. */
export function replayDraws(draws: readonly number[], fn: () => void): boolean {
  const previous = mode;
  const replay = { replay: draws, at: 0 };
  mode = replay;
  try {
    fn();
  } finally {
    mode = previous;
  }
  return replay.at === draws.length;
}
