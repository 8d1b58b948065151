// gradlab's own error: every error the library raises on purpose is one, and names the
// function or op, the argument and the value or shapes at fault.

export class GradlabError extends Error {
  override name = 'GradlabError';
}

/** A short, bounded description of any value, for error messages: `string 'abc'`, `null`, `array of 3`. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'string') return `string '${v.length > 20 ? `${v.slice(0, 20)}…` : v}'`;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean' || typeof v === 'bigint' || typeof v === 'symbol') return `${typeof v} ${String(v)}`;
  if (typeof v === 'function') return 'a function';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name} of ${v.byteLength} bytes`;
  const name = (v as { constructor?: { name?: string } }).constructor?.name;
  return name && name !== 'Object' ? `a ${name}` : 'an object';
}
