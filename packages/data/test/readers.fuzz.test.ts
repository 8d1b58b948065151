// Fuzzing the two readers: whatever the input, parseCsv and parseNpy return a result or throw a
// GradlabError, never a TypeError, RangeError or anything else, and never hang (each property
// has a time budget far below the test timeout).
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GradlabError, Tensor } from '@gradlab/core';
import { parseCsv, parseNpy, type CsvOptions } from '../src/index.ts';

/** Runs f; passes if it returns or throws a GradlabError. */
function onlyGradlabErrors(f: () => unknown): boolean {
  try {
    f();
    return true;
  } catch (e) {
    if (e instanceof GradlabError) return true;
    throw e;
  }
}

const csvChars = fc.constantFrom(',', ';', '\t', '"', '\n', '\r', ' ', 'a', 'y', '1', '0', '.', 'e', '-', '+', 'n', 'i', 'f', '\uFEFF', 'é');
const csvText = fc.oneof(fc.string({ unit: csvChars, maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 120 }));
const csvOptions: fc.Arbitrary<CsvOptions> = fc.record(
  {
    header: fc.boolean(),
    labelColumn: fc.constantFrom(0, 1, 2, 'a', 'y', '1'),
    columns: fc.array(fc.constantFrom(0, 1, 2, 'a', 'y'), { minLength: 1, maxLength: 3 }),
    delimiter: fc.constantFrom(',', ';', '\t', 'a'),
    classNames: fc.array(fc.constantFrom('a', 'y', '1', ''), { maxLength: 3 }),
  },
  { requiredKeys: [] },
);

describe('parseCsv fuzzed', () => {
  it('any text and options: a consistent result or a GradlabError', () => {
    fc.assert(
      fc.property(csvText, csvOptions, (text, options) =>
        onlyGradlabErrors(() => {
          const data = parseCsv(text, options);
          expect(data.x).toBeInstanceOf(Tensor);
          expect(data.x.shape[1]).toBe(data.columns.length);
          if (data.y) expect(data.y.shape).toEqual([data.x.shape[0]]);
        }),
      ),
      { numRuns: 3000, interruptAfterTimeLimit: 20_000 },
    );
  });

  it('any bytes: a result or a GradlabError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => onlyGradlabErrors(() => parseCsv(bytes, { labelColumn: 0, header: false }))),
      { numRuns: 1000, interruptAfterTimeLimit: 10_000 },
    );
  });

  it('round trip: numbers written as Python writes them, quoted or not, come back exactly', () => {
    const cell = fc.double({ noNaN: true, noDefaultInfinity: true });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }).chain((d) => fc.array(fc.array(cell, { minLength: d, maxLength: d }), { minLength: 1, maxLength: 8 })),
        fc.boolean(),
        (rows, quoted) => {
          const d = rows[0].length;
          const head = Array.from({ length: d }, (_, j) => `c${j}`).join(',');
          const body = rows.map((r) => r.map((v) => (quoted ? `"${String(v)}"` : String(v))).join(',')).join('\r\n');
          const data = parseCsv(`${head}\n${body}\n`);
          expect(data.x.shape).toEqual([rows.length, d]);
          rows.flat().forEach((v, i) => expect(Object.is(data.x.data[i], v === 0 ? 0 : v) || data.x.data[i] === v).toBe(true));
        },
      ),
      { numRuns: 500 },
    );
  });
});

const fixtureDir = new URL('./fixtures/npy/', import.meta.url);
const npyFiles = readdirSync(fixtureDir)
  .filter((f) => f.endsWith('.npy'))
  .map((f) => new Uint8Array(readFileSync(new URL(f, fixtureDir))));

describe('parseNpy fuzzed', () => {
  it('any bytes, with or without the magic: a Tensor or a GradlabError', () => {
    const magic = new Uint8Array([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), fc.constantFrom(1, 2, 3, 0, 255), (tail, withMagic, major) => {
        const bytes = withMagic ? new Uint8Array([...magic, major, 0, ...tail]) : tail;
        return onlyGradlabErrors(() => parseNpy(bytes));
      }),
      { numRuns: 3000, interruptAfterTimeLimit: 20_000 },
    );
  });

  it('numpy files with bytes changed, inserted or cut: a Tensor or a GradlabError', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...npyFiles),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
        fc.nat(),
        fc.boolean(),
        (file, edits, cut, doCut) => {
          const bytes = file.slice();
          for (const [at, value] of edits) bytes[at % bytes.length] = value;
          return onlyGradlabErrors(() => parseNpy(doCut ? bytes.subarray(0, cut % (bytes.length + 1)) : bytes));
        },
      ),
      { numRuns: 3000, interruptAfterTimeLimit: 20_000 },
    );
  });

  it('headers assembled from Python-literal pieces: a Tensor or a GradlabError', () => {
    const piece = fc.constantFrom(
      '{', '}', '(', ')', '[', ']', ',', ':', ' ', "'descr'", "'fortran_order'", "'shape'", "'<f8'", "'|b1'", "'>i8'", "'<U3'",
      "'|O'", 'True', 'False', 'None', '0', '1', '3', '4294967296', '99999999999999999999', '2L', "'", '"', '\\',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), fc.uint8Array({ maxLength: 64 }), (pieces, data) => {
        const header = pieces.join('');
        const text = new TextEncoder().encode(header);
        const bytes = new Uint8Array(10 + text.length + data.length);
        bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, text.length & 0xff, text.length >> 8]);
        bytes.set(text, 10);
        bytes.set(data, 10 + text.length);
        return onlyGradlabErrors(() => parseNpy(bytes));
      }),
      { numRuns: 3000, interruptAfterTimeLimit: 20_000 },
    );
  });
});
