// Running the CLI in tests: in-process (fast; console and stdout/stderr captured) or as a real
// process (exit codes, signals, hangs), from the repository's root as `pnpm demo` runs it.
import { spawn, type SpawnOptions } from 'node:child_process';
import { resolve } from 'node:path';
import { vi } from 'vitest';
import { main } from '../../src/cli/main.ts';

export const REPO_ROOT = resolve(import.meta.dirname, '../../../..');
export const BIN = 'apps/xor-demo/src/cli/bin.ts';

/** Runs the CLI in-process; returns its exit code and what it printed. */
export async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err.push(String(chunk).trimEnd());
    return true;
  });
  const writeOut = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk).trimEnd());
    return true;
  });
  try {
    const code = await main(argv);
    return { code, out: out.join('\n'), err: err.filter((l) => l.length > 0) };
  } finally {
    log.mockRestore();
    error.mockRestore();
    write.mockRestore();
    writeOut.mockRestore();
  }
}

export interface Spawned {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall time from spawn to exit. */
  milliseconds: number;
  /** Whether it had to be killed after `timeoutMs`. */
  timedOut: boolean;
}

export interface SpawnCliOptions {
  /** Killed (SIGKILL) after this long; default 30 s. */
  timeoutMs?: number;
  /** Called with each stdout chunk and the process (e.g. to send a signal once training runs). */
  onStdout?: (text: string, child: ReturnType<typeof spawn>) => void;
  /** The command line to run instead of node (e.g. setpriv … or script …), given node's argv. */
  wrap?: (nodeArgv: string[]) => [string, string[]];
  env?: NodeJS.ProcessEnv;
}

/** Runs `pnpm demo <argv>` as a real process: node --import tsx bin.ts. */
export function spawnCli(argv: string[], options: SpawnCliOptions = {}): Promise<Spawned> {
  const nodeArgv = [process.execPath, '--import', 'tsx', BIN, ...argv];
  const [command, args] = options.wrap ? options.wrap(nodeArgv) : [nodeArgv[0], nodeArgv.slice(1)];
  const spawnOptions: SpawnOptions = { cwd: REPO_ROOT, env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] };
  const started = performance.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, spawnOptions);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      options.onStdout?.(stdout, child);
    });
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr, milliseconds: performance.now() - started, timedOut });
    });
  });
}
