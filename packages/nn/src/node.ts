// Saving and loading models as files (Node only; the browser-safe part is serialize.ts).
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { GradlabError } from '@gradlab/core';
import type { AnyModule, Module } from './module.ts';
import { modelFromJSON, modelToJSON } from './serialize.ts';

/**
 * Writes `modelToJSON(model)` to `path` atomically: the JSON goes to a temporary file in the
 * same directory, is flushed to disk, and is renamed over `path`. A crash or error leaves
 * either the old file or the new one, never a half-written one (and no temporary file).
 */
export async function saveModel(model: AnyModule, path: string): Promise<void> {
  const text = `${JSON.stringify(modelToJSON(model))}\n`;
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const file = await open(temp, 'wx');
    try {
      await file.writeFile(text, 'utf8');
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, path);
  } catch (e) {
    await rm(temp, { force: true });
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
