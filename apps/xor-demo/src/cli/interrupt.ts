// Ctrl-C (SIGINT) and SIGTERM: the first one stops training at the next pass and lets the run
// write what exists (exit code 130, or 143 for SIGTERM); a second one quits at once. Either way
// the terminal gets its cursor back (the progress bar hides it).

export const SHOW_CURSOR = '\u001b[?25h';

const EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
type Signal = keyof typeof EXIT_CODES;

export class Interrupt {
  /** The first signal received, or null. */
  signal: Signal | null = null;
  private readonly listeners = new Set<() => void>();
  private readonly handlers = new Map<Signal, () => void>();

  get requested(): boolean {
    return this.signal !== null;
  }

  /** The exit code for the signal received (0 if none). */
  get exitCode(): number {
    return this.signal ? EXIT_CODES[this.signal] : 0;
  }

  /** Calls `listener` on the first signal (at once if one came already); returns an unsubscribe. */
  onInterrupt(listener: () => void): () => void {
    if (this.signal) listener();
    else this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Listens for SIGINT and SIGTERM until `uninstall()`. */
  install(err: (text: string) => void = (t) => process.stderr.write(`${t}\n`)): () => void {
    for (const signal of Object.keys(EXIT_CODES) as Signal[]) {
      const handler = () => {
        if (this.signal) {
          restoreCursor();
          err('interrupted again: quitting without finishing the outputs');
          process.exit(EXIT_CODES[signal]);
        }
        this.signal = signal;
        for (const listener of this.listeners) listener();
        this.listeners.clear();
        err(`${signal === 'SIGINT' ? 'interrupted (Ctrl-C)' : 'terminated (SIGTERM)'}: writing what exists; press Ctrl-C again to quit at once`);
      };
      this.handlers.set(signal, handler);
      process.on(signal, handler);
    }
    return () => {
      for (const [signal, handler] of this.handlers) process.off(signal, handler);
      this.handlers.clear();
    };
  }
}

let cursorHidden = false;

/** Notes that a progress bar hid the cursor (so it is shown again however the process ends). */
export function cursorWasHidden(): void {
  if (!cursorHidden) process.once('exit', restoreCursor);
  cursorHidden = true;
}

/** Shows the cursor again if it was hidden. */
export function restoreCursor(): void {
  if (!cursorHidden) return;
  cursorHidden = false;
  if (process.stdout.isTTY) process.stdout.write(SHOW_CURSOR);
}
