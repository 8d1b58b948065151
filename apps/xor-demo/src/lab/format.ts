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

/** Above this many values numpy prints only the first and last EDGE_ITEMS, with `...` between. */
export const NUMPY_THRESHOLD = 1000;
export const EDGE_ITEMS = 3;

/** The values numpy shows (all, or the first and last EDGE_ITEMS) and whether some are left out. */
function shown<T>(values: readonly T[]): { head: readonly T[]; tail: readonly T[] } {
  if (values.length <= NUMPY_THRESHOLD) return { head: values, tail: [] };
  return { head: values.slice(0, EDGE_ITEMS), tail: values.slice(values.length - EDGE_ITEMS) };
}

/**
 * A column of values as numpy prints an (n, 1) array: `[[0.01025062]\n [0.99730607]]`. As numpy's
 * default: at most 8 decimals, each value's trailing zeros dropped, cells aligned on the point
 * and padded on the right (`[[0.5 ]\n [0.25]]`); above 1000 values only the first and last 3,
 * with a ` ...` line between (numpy's threshold and edgeitems). Loops only: no argument
 * spreading, so any length is fine.
 */
export function numpyColumn(values: readonly number[]): string {
  const { head, tail } = shown(values);
  const parts = [...head, ...tail].map((v) => {
    const [int, frac = ''] = v.toFixed(8).split('.') as [string, string?];
    return { int, frac: frac.replace(/0+$/, '') };
  });
  let intWidth = 0;
  let fracWidth = 1;
  for (const p of parts) {
    intWidth = Math.max(intWidth, p.int.length);
    fracWidth = Math.max(fracWidth, p.frac.length);
  }
  const cells = parts.map((p) => `${p.int.padStart(intWidth)}.${p.frac.padEnd(fracWidth)}`);
  const rows = cells.map((c, i) => `${i === 0 ? '[' : ' ['}${c}]`);
  if (tail.length > 0) rows.splice(head.length, 0, ' ...');
  return `[${rows.join('\n')}]`;
}

/** A list as `[0, 1, 0]`; above 1000 items `[0, 1, 0, ..., 1, 0, 1]`. */
export function shortList(values: readonly (number | string)[]): string {
  const { head, tail } = shown(values);
  return `[${tail.length > 0 ? [...head, '...', ...tail].join(', ') : head.join(', ')}]`;
}

export function percent(x: number): string {
  return `${(100 * x).toFixed(2)}%`;
}

export function duration(ms: number): string {
  return ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(2)} s`;
}
