// Never leave a half-written file: write beside the target, then rename over it.
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** A temporary path in the same directory as `path` (so rename is atomic). */
export function tempPathFor(path: string, ext = '.tmp'): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}${ext}`);
}

/** Writes `data` to a temporary file beside `path`, then renames it into place. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Produces a file through `make(tmpPath)`, then renames it into place. */
export async function produceAtomic(path: string, make: (tmpPath: string) => Promise<unknown>, ext = '.tmp'): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = tempPathFor(path, ext);
  try {
    await make(tmp);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
