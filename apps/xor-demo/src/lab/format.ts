// Printing numbers the way the lab's Python does, so the printout reads like the handout's.

/** Python's repr of a float: shortest round-trip digits; scientific below 1e-4 and from 1e16. */
export function pythonFloat(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa, expText] = x.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  const s = String(x);
  return s.includes('.') ? s : `${s}.0`;
}

/**
 * A column of values as numpy prints an (n, 1) array: `[[0.01025062]\n [0.99730607]]`. As numpy's
 * default: at most 8 decimals, each value's trailing zeros dropped, cells aligned on the point
 * and padded on the right (`[[0.5 ]\n [0.25]]`).
 */
export function numpyColumn(values: readonly number[]): string {
  const parts = values.map((v) => {
    const [int, frac = ''] = v.toFixed(8).split('.') as [string, string?];
    return { int, frac: frac.replace(/0+$/, '') };
  });
  const intWidth = Math.max(...parts.map((p) => p.int.length));
  const fracWidth = Math.max(1, ...parts.map((p) => p.frac.length));
  const cells = parts.map((p) => `${p.int.padStart(intWidth)}.${p.frac.padEnd(fracWidth)}`);
  return `[${cells.map((c, i) => `${i === 0 ? '[' : ' ['}${c}]`).join('\n')}]`;
}

export function percent(x: number): string {
  return `${(100 * x).toFixed(2)}%`;
}

export function duration(ms: number): string {
  return ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(2)} s`;
}
