// CSV to tensors, from a string or bytes (works in a browser: no file system; `readCsv` in
// `@gradlab/data/node` reads a path). The tokenizing (quotes, escaped quotes, line breaks inside
// quoted fields, a byte-order mark) is csv-parse's, its browser build, so Node runs the very code
// a browser bundle gets; gradlab turns the fields into numbers and labels and reports every bad
// field by line and column.
import { parse, CsvError } from 'csv-parse/browser/esm/sync';
import { GradlabError, Tensor } from '@gradlab/core';
import { describeValue } from './validate.ts';

export interface CsvOptions {
  /** The first line names the columns (default true). */
  header?: boolean;
  /**
   * The column holding the labels, by header name or by 0-based index; default none (every column
   * is a feature). Numbers are kept as they are; if any label is not a number, the labels are
   * class names, mapped to class indices 0…k−1 in sorted order (or in `classNames` order).
   */
  labelColumn?: string | number;
  /** The feature columns, by header name or 0-based index, in this order (default: all but the label column). */
  columns?: readonly (string | number)[];
  /** The field separator, one character (default ','). */
  delimiter?: string;
  /** The class names in index order, for text labels (default: the distinct labels, sorted). */
  classNames?: readonly string[];
}

/** What `parseCsv` returns. */
export interface CsvData {
  /** The features, one row per data line, shape [n, d], float64. */
  x: Tensor;
  /** The labels, shape [n] (class indices for text labels), when `labelColumn` is given. */
  y?: Tensor;
  /** The names of x's columns: their header names, or their 0-based indices as text without a header. */
  columns: string[];
  /** The class names by index, when the labels are text. */
  classNames?: string[];
}

// A decimal number (as Python's float() and numpy write them), or nan / inf / infinity.
const NUMBER = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;
const SPECIAL = /^\s*([+-]?)(nan|inf|infinity)\s*$/i;

/** The number a field holds, or undefined if it holds none. */
function toNumber(field: string): number | undefined {
  if (NUMBER.test(field)) return Number(field);
  const special = SPECIAL.exec(field);
  if (special === null) return undefined;
  if (special[2].toLowerCase() === 'nan') return Number.NaN;
  return special[1] === '-' ? -Infinity : Infinity;
}

const quote = (field: string): string => JSON.stringify(field.length > 40 ? `${field.slice(0, 40)}…` : field);

function decode(fn: string, input: unknown): string {
  if (typeof input === 'string') return input;
  let bytes: Uint8Array;
  if (input instanceof Uint8Array) bytes = input;
  else if (input instanceof ArrayBuffer) bytes = new Uint8Array(input);
  else throw new GradlabError(`${fn}: the CSV must be a string, an ArrayBuffer or a Uint8Array, got ${describeValue(input)}`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new GradlabError(`${fn}: the CSV is not valid UTF-8 text`);
  }
}

/** csv-parse's records with the line each ends on. */
function records(fn: string, text: string, delimiter: string): { fields: string[]; line: number }[] {
  try {
    const rows = parse(text, {
      info: true,
      bom: true,
      delimiter,
      record_delimiter: ['\r\n', '\n', '\r'],
      skip_empty_lines: true,
      relax_column_count: false,
    }) as unknown as {
      record: string[];
      info: { lines: number };
    }[];
    return rows.map(({ record, info }) => ({ fields: record, line: info.lines }));
  } catch (e) {
    // only csv-parse's own errors are expected here; anything else is a bug to see, not to wrap
    if (e instanceof CsvError) throw new GradlabError(`${fn}: ${e.message}`, { cause: e });
    throw e;
  }
}

/** The 0-based index of a column named by header name or index. */
function resolve(fn: string, what: string, ref: unknown, names: readonly string[], header: boolean): number {
  if (typeof ref === 'number') {
    if (Number.isInteger(ref) && ref >= 0 && ref < names.length) return ref;
    throw new GradlabError(`${fn}: ${what} ${ref} is not a column index: the CSV has ${names.length} columns (0…${names.length - 1})`);
  }
  if (typeof ref === 'string') {
    if (!header) throw new GradlabError(`${fn}: ${what} ${quote(ref)} is a name, but the CSV has no header (header: false); give a 0-based index`);
    const first = names.indexOf(ref);
    if (first < 0) throw new GradlabError(`${fn}: ${what} ${quote(ref)} is not in the header: ${names.map(quote).join(', ')}`);
    if (names.indexOf(ref, first + 1) >= 0) throw new GradlabError(`${fn}: ${what} ${quote(ref)} names more than one column; give a 0-based index`);
    return first;
  }
  throw new GradlabError(`${fn}: ${what} must be a column name or a 0-based index, got ${describeValue(ref)}`);
}

/** parseCsv with the calling function's name in its errors (readCsv passes its own and the path). */
export function parseCsvAs(fn: string, input: string | ArrayBuffer | Uint8Array, options: CsvOptions = {}): CsvData {
  if (typeof options !== 'object' || options === null) throw new GradlabError(`${fn}: options must be an object, got ${describeValue(options)}`);
  const { header = true, labelColumn, columns, delimiter = ',', classNames } = options;
  if (typeof header !== 'boolean') throw new GradlabError(`${fn}: header must be true or false, got ${describeValue(header)}`);
  if (typeof delimiter !== 'string' || delimiter.length !== 1 || /["\r\n]/.test(delimiter)) {
    throw new GradlabError(`${fn}: delimiter must be one character other than a quote or a line break, got ${describeValue(delimiter)}`);
  }
  if (columns !== undefined && (!Array.isArray(columns) || columns.length === 0)) {
    throw new GradlabError(`${fn}: columns must be a non-empty list of column names or indices, got ${describeValue(columns)}`);
  }
  if (classNames !== undefined && (!Array.isArray(classNames) || !classNames.every((c) => typeof c === 'string') || new Set(classNames).size !== classNames.length)) {
    throw new GradlabError(`${fn}: classNames must be a list of distinct strings, got ${describeValue(classNames)}`);
  }
  const text = decode(fn, input);
  const rows = records(fn, text, delimiter);
  const first = rows[0] as { fields: string[]; line: number } | undefined;
  if (first === undefined) throw new GradlabError(`${fn}: the CSV is empty`);
  const names = header ? first.fields : first.fields.map((_, i) => String(i));
  const data = header ? rows.slice(1) : rows;
  if (data.length === 0) throw new GradlabError(`${fn}: the CSV has a header but no data lines`);

  const label = labelColumn === undefined ? undefined : resolve(fn, 'labelColumn', labelColumn, names, header);
  const features = (columns ?? names.map((_, i) => i).filter((i) => i !== label)).map((ref) => resolve(fn, 'column', ref, names, header));
  if (features.length === 0) throw new GradlabError(`${fn}: no feature columns are left besides the label column ${quote(names[label ?? 0])}`);
  if (label !== undefined && features.includes(label)) throw new GradlabError(`${fn}: column ${quote(names[label])} is both a feature and the label column`);

  const where = (line: number, col: number): string => `line ${line}, column ${col + 1}${header ? ` (${quote(names[col])})` : ''}`;
  const d = features.length;
  const x = new Float64Array(data.length * d);
  data.forEach(({ fields, line }, r) => {
    features.forEach((col, j) => {
      const v = toNumber(fields[col]);
      if (v === undefined) throw new GradlabError(`${fn}: ${where(line, col)}: ${fields[col] === '' ? 'the field is empty' : `${quote(fields[col])} is not a number`}`);
      x[r * d + j] = v;
    });
  });
  const result: CsvData = { x: new Tensor(x, [data.length, d]), columns: features.map((col) => names[col]) };
  if (label === undefined) return result;

  const raw = data.map(({ fields }) => fields[label]);
  const empty = raw.indexOf('');
  if (empty >= 0) throw new GradlabError(`${fn}: ${where(data[empty].line, label)}: the label is empty`);
  const numeric = raw.map(toNumber);
  const y = new Float64Array(data.length);
  if (classNames === undefined && numeric.every((v) => v !== undefined)) {
    numeric.forEach((v, r) => (y[r] = v ?? Number.NaN));
  } else {
    const classes = classNames ? [...classNames] : [...new Set(raw)].sort();
    const index = new Map(classes.map((c, i) => [c, i]));
    raw.forEach((name, r) => {
      const i = index.get(name);
      if (i === undefined) throw new GradlabError(`${fn}: ${where(data[r].line, label)}: label ${quote(name)} is not one of classNames ${classes.map(quote).join(', ')}`);
      y[r] = i;
    });
    result.classNames = classes;
  }
  result.y = new Tensor(y, [data.length]);
  return result;
}

/**
 * Parses CSV text (or its UTF-8 bytes) into tensors: x [n, d] from the numeric feature columns and,
 * with `labelColumn`, y [n]. Quoted fields may hold delimiters, quotes ("") and line breaks; empty
 * lines are skipped. A field that is not a number (decimal, exponent, nan, inf), a line with a
 * different number of fields, or a broken quote is an error naming the line and the column.
 */
export function parseCsv(input: string | ArrayBuffer | Uint8Array, options: CsvOptions = {}): CsvData {
  return parseCsvAs('parseCsv', input, options);
}
