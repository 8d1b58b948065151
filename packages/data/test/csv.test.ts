import { describe, expect, it } from 'vitest';
import { GradlabError } from '@gradlab/core';
import { parseCsv } from '../src/index.ts';

const IRIS_LIKE = `sepal_length,sepal_width,species
5.1,3.5,setosa
7.0,3.2,versicolor
6.3,3.3,virginica
4.9,3.0,setosa
`;

describe('parseCsv', () => {
  it('reads a header, numeric columns and a text label column mapped to sorted class indices', () => {
    const data = parseCsv(IRIS_LIKE, { labelColumn: 'species' });
    expect(data.columns).toEqual(['sepal_length', 'sepal_width']);
    expect(data.x.shape).toEqual([4, 2]);
    expect(Array.from(data.x.data)).toEqual([5.1, 3.5, 7.0, 3.2, 6.3, 3.3, 4.9, 3.0]);
    expect(data.classNames).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(data.y?.shape).toEqual([4]);
    expect(Array.from(data.y?.data ?? [])).toEqual([0, 1, 2, 0]);
  });

  it('keeps numeric labels as numbers; classNames fixes the order of text labels', () => {
    const numeric = parseCsv('a,b,t\n1,2,0.5\n3,4,-1\n', { labelColumn: 't' });
    expect(Array.from(numeric.y?.data ?? [])).toEqual([0.5, -1]);
    expect(numeric.classNames).toBeUndefined();
    const fixed = parseCsv(IRIS_LIKE, { labelColumn: 2, classNames: ['virginica', 'setosa', 'versicolor'] });
    expect(Array.from(fixed.y?.data ?? [])).toEqual([1, 2, 0, 1]);
    expect(() => parseCsv(IRIS_LIKE, { labelColumn: 'species', classNames: ['setosa'] })).toThrow(
      'parseCsv: line 3, column 3 ("species"): label "versicolor" is not one of classNames "setosa"',
    );
  });

  it('picks and orders feature columns by name or 0-based index', () => {
    const data = parseCsv(IRIS_LIKE, { columns: ['sepal_width', 0], labelColumn: 'species' });
    expect(data.columns).toEqual(['sepal_width', 'sepal_length']);
    expect(Array.from(data.x.data.subarray(0, 4))).toEqual([3.5, 5.1, 3.2, 7.0]);
  });

  it('without a header: all columns by index, names "0", "1", …', () => {
    const data = parseCsv('1;2;3\n4;5;6', { header: false, delimiter: ';', labelColumn: 2 });
    expect(data.columns).toEqual(['0', '1']);
    expect(Array.from(data.x.data)).toEqual([1, 2, 4, 5]);
    expect(Array.from(data.y?.data ?? [])).toEqual([3, 6]);
    expect(() => parseCsv('1,2\n', { header: false, labelColumn: 'b' })).toThrow('parseCsv: labelColumn "b" is a name, but the CSV has no header');
  });

  it('handles quotes: delimiters, "" and line breaks inside quoted fields; CRLF; a BOM; empty lines', () => {
    const text = '\uFEFF"x, the first",y,"name"\r\n1,2,"a ""quoted"", label"\r\n\r\n3,4,"two\nlines"\r\n';
    const data = parseCsv(text, { labelColumn: 'name' });
    expect(data.columns).toEqual(['x, the first', 'y']);
    expect(Array.from(data.x.data)).toEqual([1, 2, 3, 4]);
    expect(data.classNames).toEqual(['a "quoted", label', 'two\nlines']);
  });

  it('reads numbers as Python and numpy write them, nan and inf included', () => {
    const data = parseCsv('v\n-1.5e-3\n.5\n7.\n+2\nnan\n-inf\nInfinity\n 3 \n', {});
    expect(Array.from(data.x.data)).toEqual([-0.0015, 0.5, 7, 2, Number.NaN, -Infinity, Infinity, 3]);
  });

  it('reads bytes (ArrayBuffer or Uint8Array) as UTF-8', () => {
    const bytes = new TextEncoder().encode('größe,k\n1,ä\n2,b\n');
    expect(parseCsv(bytes, { labelColumn: 'k' }).classNames).toEqual(['b', 'ä']);
    expect(parseCsv(bytes.buffer, { labelColumn: 'k' }).columns).toEqual(['größe']);
    expect(() => parseCsv(new Uint8Array([0x61, 0xff, 0x0a]))).toThrow('parseCsv: the CSV is not valid UTF-8 text');
  });

  it('names the line and the column of a bad field', () => {
    const text = 'a,b,c\n1,2,3\n4,oops,6\n';
    expect(() => parseCsv(text)).toThrow('parseCsv: line 3, column 2 ("b"): "oops" is not a number');
    expect(() => parseCsv('a,b\n1,2\n\n3,\n')).toThrow('parseCsv: line 4, column 2 ("b"): the field is empty');
    expect(() => parseCsv('1,2\n3,x\n', { header: false })).toThrow('parseCsv: line 2, column 2: "x" is not a number');
    expect(() => parseCsv('a,b\n1,2\n3,4,5\n')).toThrow(/^parseCsv: Invalid Record Length: expect 2, got 3 on line 3$/);
    expect(() => parseCsv('a,b\n1,"2\n')).toThrow(/^parseCsv: Quote Not Closed: .* at line 2$/);
    expect(() => parseCsv('a,b\n1,"2"x\n')).toThrow(/^parseCsv: Invalid Closing Quote: got "x" at line 2/);
    expect(() => parseCsv('a,y\n1,cat\n2,\n', { labelColumn: 'y' })).toThrow('parseCsv: line 3, column 2 ("y"): the label is empty');
  });

  it('rejects bad options and unknown columns clearly', () => {
    expect(() => parseCsv(IRIS_LIKE, { labelColumn: 'kind' })).toThrow(
      'parseCsv: labelColumn "kind" is not in the header: "sepal_length", "sepal_width", "species"',
    );
    expect(() => parseCsv(IRIS_LIKE, { columns: [5] })).toThrow('parseCsv: column 5 is not a column index: the CSV has 3 columns (0…2)');
    expect(() => parseCsv('a,a\n1,2\n', { columns: ['a'] })).toThrow('parseCsv: column "a" names more than one column');
    expect(() => parseCsv(IRIS_LIKE, { columns: ['species'], labelColumn: 'species' })).toThrow('is both a feature and the label column');
    expect(() => parseCsv('y\n1\n', { labelColumn: 'y' })).toThrow('parseCsv: no feature columns are left besides the label column "y"');
    expect(() => parseCsv('', {})).toThrow('parseCsv: the CSV is empty');
    expect(() => parseCsv('a,b\n', {})).toThrow('parseCsv: the CSV has a header but no data lines');
    expect(() => parseCsv('a\n1\n', { delimiter: '"' })).toThrow('parseCsv: delimiter must be one character other than a quote or a line break');
    expect(() => parseCsv(42 as unknown as string)).toThrow('parseCsv: the CSV must be a string, an ArrayBuffer or a Uint8Array, got 42');
    expect(() => parseCsv('a\n1\n', { classNames: ['x', 'x'] })).toThrow('parseCsv: classNames must be a list of distinct strings');
  });

  it('every error is a GradlabError', () => {
    for (const bad of ['a,b\n1,2,3\n', 'a,b\n"1\n', 'a\nx\n']) {
      let caught: unknown;
      try {
        parseCsv(bad);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(GradlabError);
    }
  });
});
