// Reading data files from disk (Node only; parseCsv and parseNpy, which these wrap, also run in
// a browser on bytes from fetch or a file input).
import { readFile } from 'node:fs/promises';
import { GradlabError, type Tensor } from '@gradlab/core';
import { parseCsvAs, type CsvData, type CsvOptions } from './csv.ts';
import { parseNpyAs } from './npy.ts';

async function bytesOf(fn: string, path: string): Promise<Uint8Array> {
  if (typeof path !== 'string' || path === '') throw new GradlabError(`${fn}: path must be a non-empty string, got ${typeof path === 'string' ? "''" : typeof path}`);
  try {
    return await readFile(path);
  } catch (e) {
    throw new GradlabError(`${fn}: cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

/** `parseCsv` on the file at `path` (UTF-8); errors name the path, the line and the column. */
export async function readCsv(path: string, options: CsvOptions = {}): Promise<CsvData> {
  const fn = `readCsv(${path})`;
  return parseCsvAs(fn, await bytesOf('readCsv', path), options);
}

/** `parseNpy` on the .npy file at `path`. */
export async function readNpy(path: string): Promise<Tensor> {
  return parseNpyAs(`readNpy(${path})`, await bytesOf('readNpy', path));
}
