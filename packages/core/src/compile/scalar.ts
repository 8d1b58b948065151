// An op's scalar function as an expression to paste into generated code, so that V8 need not
// inline hundreds of calls: `(a, b) => a + b` with arguments `v3_0`, `w1` gives `(v3_0 + w1)`.
// Only simple arrow functions of their own parameters qualify: numbers, arithmetic, comparisons,
// `?:`, `Math.*`, and attributes that are numbers (pasted as literals). Anything else (a function
// with a body, a free variable) is called instead. Either way the same operations run.

/** A number as JS source that reads back as exactly the same number (−0 and ±∞ included). */
export function numberLiteral(v: number): string {
  if (Object.is(v, -0)) return '(-0)';
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '(-Infinity)';
  return v < 0 ? `(${v})` : String(v);
}

const MATH_NAMES = new Map<unknown, string>(
  Object.getOwnPropertyNames(Math)
    .filter((name) => typeof (Math as unknown as Record<string, unknown>)[name] === 'function')
    .map((name) => [(Math as unknown as Record<string, unknown>)[name], name]),
);

const TOKEN = /\s+|[A-Za-z_$][\w$]*|\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|\*\*|[<>=!]=?=?|&&|\|\||[-+*/%()?:.,]/y;

/**
 * `f` applied to `args` (source expressions) as one expression, or null when `f` is not a
 * simple arrow function. Its parameters after the value arguments may destructure `attrs`.
 */
export function scalarExpression(f: unknown, args: readonly string[], attrs: unknown): string | null {
  if (typeof f !== 'function') return null;
  const math = MATH_NAMES.get(f);
  if (math) return `Math.${math}(${args.join(', ')})`;
  const source = Function.prototype.toString.call(f);
  const arrow = /^\s*\(([^()]*)\)\s*=>\s*([^{][\s\S]*)$/.exec(source) ?? /^\s*([A-Za-z_$][\w$]*)\s*=>\s*([^{][\s\S]*)$/.exec(source);
  if (!arrow) return null;
  const bindings = parameterBindings(arrow[1], args, attrs);
  if (!bindings) return null;
  let out = '';
  TOKEN.lastIndex = 0;
  const body = arrow[2].trim();
  let previous = '';
  while (TOKEN.lastIndex < body.length) {
    const at = TOKEN.lastIndex;
    const match = TOKEN.exec(body);
    if (!match || match.index !== at) return null;
    const token = match[0];
    if (/^[A-Za-z_$]/.test(token)) {
      if (previous === '.') out += token; // a property of Math
      else if (token === 'Math') out += token;
      else if (bindings.has(token)) out += bindings.get(token);
      else return null;
    } else if (token === '.' && previous !== 'Math') {
      return null;
    } else {
      out += token;
    }
    if (token.trim()) previous = token;
  }
  return `(${out})`;
}

/** The parameter names mapped to the argument expressions and the attributes' literals. */
function parameterBindings(list: string, args: readonly string[], attrs: unknown): Map<string, string> | null {
  const bindings = new Map<string, string>();
  const params = list.trim() === '' ? [] : splitTopLevel(list);
  for (let i = 0; i < params.length; i++) {
    const p = params[i].trim();
    if (i < args.length) {
      if (!/^[A-Za-z_$][\w$]*$/.test(p)) return null;
      bindings.set(p, `(${args[i]})`);
    } else if (i === args.length) {
      const destructured = /^\{([^{}:=]*)\}$/.exec(p);
      if (!destructured || typeof attrs !== 'object' || attrs === null) return null;
      for (const name of destructured[1].split(',').map((s) => s.trim()).filter(Boolean)) {
        const value = (attrs as Record<string, unknown>)[name];
        if (!/^[A-Za-z_$][\w$]*$/.test(name) || typeof value !== 'number') return null;
        bindings.set(name, numberLiteral(value));
      }
    } else {
      return null;
    }
  }
  return bindings;
}

function splitTopLevel(list: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < list.length; i++) {
    const c = list[i];
    if (c === '{') depth++;
    else if (c === '}') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(list.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(list.slice(start));
  return parts;
}
