import { describe, expect, it } from 'vitest';
import { generateXOREasy, toRows } from '../src/index.ts';

// Python's `generate_XOR_easy()`, printed with repr(): the exact doubles, in order.
const expected: [[number, number], number][] = [
  [[0.0, 0.0], 0],
  [[0.0, 1.0], 1],
  [[0.1, 0.1], 0],
  [[0.1, 0.9], 1],
  [[0.2, 0.2], 0],
  [[0.2, 0.8], 1],
  [[0.30000000000000004, 0.30000000000000004], 0],
  [[0.30000000000000004, 0.7], 1],
  [[0.4, 0.4], 0],
  [[0.4, 0.6], 1],
  [[0.5, 0.5], 0],
  [[0.6000000000000001, 0.6000000000000001], 0],
  [[0.6000000000000001, 0.3999999999999999], 1],
  [[0.7000000000000001, 0.7000000000000001], 0],
  [[0.7000000000000001, 0.29999999999999993], 1],
  [[0.8, 0.8], 0],
  [[0.8, 0.19999999999999996], 1],
  [[0.9, 0.9], 0],
  [[0.9, 0.09999999999999998], 1],
  [[1.0, 1.0], 0],
  [[1.0, 0.0], 1],
];

describe('generateXOREasy', () => {
  const data = generateXOREasy();

  it('has shapes [21, 2] and [21, 1] and is named xor', () => {
    expect(data.inputs.shape).toEqual([21, 2]);
    expect(data.labels.shape).toEqual([21, 1]);
    expect(data.name).toBe('xor');
  });

  it.each(expected.map(([point, label], i) => [i, point, label] as const))(
    'point %i is %j with label %i, float for float',
    (i, [x0, x1], label) => {
      expect(data.inputs.data[2 * i]).toBe(x0);
      expect(data.inputs.data[2 * i + 1]).toBe(x1);
      expect(data.labels.data[i]).toBe(label);
    },
  );

  it('matches the table through toRows as well', () => {
    const { x, y } = toRows(data);
    expect(x).toEqual(expected.map(([point]) => point));
    expect(y).toEqual(expected.map(([, label]) => label));
  });

  it('is the same every call (no randomness)', () => {
    expect(Array.from(generateXOREasy().inputs.data)).toEqual(Array.from(data.inputs.data));
  });
});
