// createRng moved to @gradlab/core; @gradlab/data still exports it, the same function.
import * as core from '@gradlab/core';
import { describe, expect, it } from 'vitest';
import { createRng } from '../src/index.ts';

describe('createRng (re-exported from @gradlab/core)', () => {
  it('is the createRng of @gradlab/core and gives its pinned values', () => {
    expect(createRng).toBe(core.createRng);
    const rng = createRng(42);
    expect([rng.next(), rng.next(), rng.next()]).toEqual([0.6606157208001621, 0.1117019639532224, 0.0791056456144914]);
  });
});
