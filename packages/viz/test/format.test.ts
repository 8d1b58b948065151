import { describe, expect, it } from 'vitest';
import { formatTick } from '../src/index.ts';

describe('formatTick', () => {
  it('prints ordinary ticks plainly, without float noise', () => {
    expect(formatTick(0)).toBe('0');
    expect(formatTick(0.1 + 0.2)).toBe('0.3');
    expect(formatTick(0.001)).toBe('0.001');
    expect(formatTick(-0.25)).toBe('-0.25');
    expect(formatTick(12000)).toBe('12000');
  });

  it('switches to exponent notation for tiny and huge values (a log loss axis)', () => {
    expect(formatTick(1e-4)).toBe('1e-4');
    expect(formatTick(2.5e-7)).toBe('2.5e-7');
    expect(formatTick(3e6)).toBe('3e6');
  });
});
