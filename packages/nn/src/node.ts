// Saving and loading models as files (Node only; the browser-safe part is serialize.ts), and the
// repository's one atomic file writer: saveModel, the report and the CLI's outputs all use it.
import { randomBytes } from 'node:crypto';
import { chmod, open, readdir, readFile, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { GradlabError } from '@gradlab/core';
import type { AnyModule, Module } from './module.ts';
import { modelFromJSON, modelToJSON } from './serialize.ts';

/**
 * Writes `modelToJSON(model)` to `path` with `writeFileAtomic`: a crash or error leaves either
 * the old file or the new one, never a half-written one, and no temporary file (one left by a
 * killed process is swept by the next save in that folder).
 */
export async function saveModel(model: AnyModule, path: string): Promise<void> {
  const text = `${JSON.stringify(modelToJSON(model))}\n`;
  try {
    await writeFileAtomic(path, text);
  } catch (e) {
    throw new GradlabError(`saveModel: cannot write ${path}: ${message(e)}`, { cause: e });
  }
}

/** Reads a model written by `saveModel`; any problem is an Error naming the file and what is wrong. */
export async function loadModel<M extends AnyModule = Module>(path: string): Promise<M> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new GradlabError(`loadModel: cannot read ${path}: ${message(e)}`, { cause: e });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new GradlabError(`loadModel: ${path} is not valid JSON: ${message(e)}`, { cause: e });
  }
  try {
    return modelFromJSON<M>(value);
  } catch (e) {
    throw new GradlabError(`loadModel: ${path}: ${message(e).replace(/^modelFromJSON: /, '')}`, { cause: e });
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

// ---------------------------------------------------------------------------------------------
// Atomic files. A file is written to a temporary name beside it, `.<name>.<pid>.<12 hex>.tmp`,
// flushed to disk, and renamed over the target (rename within one folder is atomic on POSIX).
// On any error the temporary file is removed. A process killed mid-write (kill -9) cannot clean
// up, so every write first sweeps the folder's stale temporary files of this pattern: those whose
// process is gone, those of this process that no write of it holds (an earlier process with the
// same pid, as in containers), and any untouched for an hour (a reused pid).

/** `.model.json.12345.0123456789ab.tmp`: the target's name, the writer's pid, a random tag. */
const TEMP_NAME = /^\.(.+)\.(\d+)\.[0-9a-f]{12}\.tmp$/;
/** A temporary file not modified for this long is stale even if its pid is alive (pid reuse). */
export const STALE_TEMP_MS = 60 * 60 * 1000;
/** The temporary files this process is writing right now (never swept). */
const liveTemps = new Set<string>();

/** Whether a file name is one of this writer's temporary files (`.<name>.<pid>.<12 hex>.tmp`). */
export function isAtomicTempName(name: string): boolean {
  return TEMP_NAME.test(name);
}

/** A fresh temporary path beside `path`, recognisable by `sweepStaleTemps`. */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

/**
 * Removes the stale temporary files of `writeFileAtomic`/`openAtomicFile` in `dir` (see above);
 * returns their names. Files of any other name are never touched. Errors are ignored: a sweep
 * must not make a save fail.
 */
export async function sweepStaleTemps(dir: string, now = Date.now()): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = TEMP_NAME.exec(name);
    if (!m) continue;
    const path = join(dir, name);
    if (liveTemps.has(path)) continue;
    const pid = Number(m[2]);
    let stale = pid === process.pid || !processAlive(pid);
    if (!stale) {
      try {
        stale = now - (await stat(path)).mtimeMs > STALE_TEMP_MS;
      } catch {
        continue;
      }
    }
    if (!stale) continue;
    try {
      await rm(path, { force: true });
      removed.push(name);
    } catch {
      // not ours to fight over: leave it
    }
  }
  return removed;
}

/** Opens a new temporary file for `path` (mode copied from an existing target). */
async function openTemp(path: string): Promise<{ temp: string; handle: FileHandle }> {
  await sweepStaleTemps(dirname(path));
  const temp = tempPathFor(path);
  liveTemps.add(temp);
  try {
    const handle = await open(temp, 'wx');
    const mode = await stat(path).then(
      (s) => s.mode & 0o7777,
      () => null,
    );
    if (mode !== null) await chmod(temp, mode).catch(() => undefined);
    return { temp, handle };
  } catch (e) {
    liveTemps.delete(temp);
    await rm(temp, { force: true });
    throw e;
  }
}

/** Flushes and closes `handle`, renames `temp` over `path`; on error removes `temp`. */
async function finish(handle: FileHandle, temp: string, path: string, ok: boolean): Promise<void> {
  try {
    if (ok) await handle.sync();
    await handle.close();
    if (ok) await rename(temp, path);
  } catch (e) {
    await handle.close().catch(() => undefined);
    ok = false;
    throw e;
  } finally {
    if (!ok) await rm(temp, { force: true });
    liveTemps.delete(temp);
  }
}

/**
 * Writes `data` to `path` atomically: readers see the old file or the new one, never a part;
 * a failed write leaves the old file and no temporary file. The folder must exist.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const { temp, handle } = await openTemp(path);
  try {
    await handle.writeFile(data);
  } catch (e) {
    await finish(handle, temp, path, false);
    throw e;
  }
  await finish(handle, temp, path, true);
}

/** A file written in pieces (e.g. a CSV row per training pass) that appears whole at `commit`. */
export interface AtomicFile {
  readonly path: string;
  /** Queues text; it goes to disk in chunks of `chunkBytes`, or at `flush`. Never blocks. */
  write(text: string): void;
  /** Writes everything queued so far to the temporary file. */
  flush(): Promise<void>;
  /** Flushes, syncs and renames the temporary file over `path`. */
  commit(): Promise<void>;
  /** Removes the temporary file; `path` is untouched. */
  abort(): Promise<void>;
}

/**
 * Opens `path` for writing in pieces: the text goes to a temporary file beside it (memory holds
 * at most about `chunkBytes` of it, plus chunks on their way to disk), and becomes `path` at
 * `commit`. Same naming, cleanup and sweeping as `writeFileAtomic`.
 */
export async function openAtomicFile(path: string, chunkBytes = 64 * 1024): Promise<AtomicFile> {
  const { temp, handle } = await openTemp(path);
  let pending: string[] = [];
  let pendingLength = 0;
  let writing: Promise<void> = Promise.resolve();
  let failure: Error | null = null;
  let closed = false;
  const drain = () => {
    if (pendingLength === 0) return;
    const chunk = pending.join('');
    pending = [];
    pendingLength = 0;
    writing = writing.then(async () => {
      if (failure === null) {
        await handle.write(chunk).then(
          () => undefined,
          (e: unknown) => {
            failure = e instanceof Error ? e : new Error(String(e));
          },
        );
      }
    });
  };
  const flush = async () => {
    drain();
    await writing;
    if (failure !== null) throw failure;
  };
  return {
    path,
    write(text: string) {
      if (closed) throw new Error(`openAtomicFile: ${path} is already committed or aborted`);
      pending.push(text);
      pendingLength += text.length;
      if (pendingLength >= chunkBytes) drain();
    },
    flush,
    async commit() {
      if (closed) throw new Error(`openAtomicFile: ${path} is already committed or aborted`);
      closed = true;
      try {
        await flush();
      } catch (e) {
        await finish(handle, temp, path, false);
        throw e;
      }
      await finish(handle, temp, path, true);
    },
    async abort() {
      if (closed) return;
      closed = true;
      pending = [];
      await writing;
      await finish(handle, temp, path, false);
    },
  };
}
