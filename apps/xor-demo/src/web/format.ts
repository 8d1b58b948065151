// Numbers as the page shows them. Plain ASCII minus signs, so tests can parse what they read.

/** `digits` significant digits, without trailing zeros: 0.00185036, -1.82695, 60123. */
export function num(v: number, digits = 6): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  const abs = Math.abs(v);
  if (abs < 1e-4 || abs >= 1e15) return v.toExponential(Math.max(0, digits - 1)).replace(/\.?0+e/, 'e');
  return String(Number(v.toPrecision(digits)));
}

/** 60123 → "60,123" (epochs read better grouped). */
export function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
