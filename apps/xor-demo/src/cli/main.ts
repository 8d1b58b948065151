// `pnpm demo`: the lab reproduced through the graph. `pnpm demo compare ...`: experiments.
// `pnpm demo digits`: a small CNN on the handwritten digits (digits.ts).
//
// Exit codes: 0 done (a `compare` whose runs diverged is done too: its table says so), 1 an
// unexpected error, 2 a bad flag or output folder (one line, before any training), 3 the run
// diverged (its outputs are written), 130 interrupted by Ctrl-C (143 SIGTERM; what exists is
// written).
import { Command, CommanderError } from 'commander';
import { relative } from 'node:path';
import { addExplainOptions, addExportOption, addOutputOptions, addTrainingOptions, configsFromOptions, exportFormats, UsageError, type RawOptions } from './options.ts';
import { checkChoiceAgainst, explainChoice, explainCommand, writeSnapshots } from './explain.ts';
import { trainWithPrintout, writeRunOutputs } from './run.ts';
import { runComparison } from './compare.ts';
import { timestampFolder } from './files.ts';
import { Interrupt } from './interrupt.ts';
import { prepareOutDir } from './outdir.ts';
import { addDigitsOptions, digitsCommand, type DigitsRawOptions } from './digits.ts';

export const EXIT = { ok: 0, error: 1, usage: 2, diverged: 3 } as const;

/** Points of the loss history kept in memory per run (tests lower it; the trainer's default otherwise). */
export const testHooks: { historyCapacity?: number; digits?: { trainLimit?: number } } = {};

/** The report's file names; says in one line when PNGs were skipped and how to get them. */
function reportFiles(dir: string, result: { written: string[]; message?: string }): string[] {
  if (result.message) print.line(result.message);
  return result.written.map((p) => relative(dir, p));
}

const print = { line: (text: string) => console.log(text) };

async function train(raw: RawOptions, interrupt: Interrupt): Promise<number> {
  const { configs } = configsFromOptions(raw, false);
  const exports = exportFormats(raw);
  const choice = explainChoice(raw);
  checkChoiceAgainst(configs[0], choice);
  const dir = await prepareOutDir(raw.out, () => timestampFolder(), { force: raw.force, allowInRepo: raw.allowInRepo });
  const engine = raw.eager ? 'eager' : 'compiled';
  const result = await trainWithPrintout(configs[0], print, {
    progress: process.stdout.isTTY === true,
    quiet: raw.quiet,
    engine,
    dir,
    interrupt,
    historyCapacity: testHooks.historyCapacity,
    snapshotEpochs: typeof choice.epoch === 'number' ? [choice.epoch] : [],
  });
  const written = await writeRunOutputs(dir, result, exports);
  const snapshots = [...result.trainer.snapshots];
  if (snapshots[snapshots.length - 1].epoch !== result.epochs) snapshots.push(result.trainer.snapshot());
  const snapshotsFile = await writeSnapshots(dir, result.trainer.model.config(), snapshots);
  if (snapshotsFile) written.push(snapshotsFile);
  if (raw.report !== false) {
    const png = raw.png !== false && !interrupt.requested; // Ctrl-C: no waiting for Chromium
    const { writeRunReport } = await import('./report.ts'); // the report's tools (esbuild, Chromium) only when asked
    written.push(...reportFiles(dir, await writeRunReport(dir, result, { png, explain: choice, snapshots, logLoss: raw.logLoss })));
  }
  print.line(`outputs: ${dir}/ (${written.join(', ')})`);
  if (interrupt.requested) return interrupt.exitCode;
  return result.stopReason === 'diverged' ? EXIT.diverged : EXIT.ok;
}

async function compare(raw: RawOptions, interrupt: Interrupt): Promise<number> {
  const { configs, varied } = configsFromOptions(raw, true);
  const dir = await prepareOutDir(raw.out, () => timestampFolder('compare-'), { force: raw.force, allowInRepo: raw.allowInRepo });
  const { results, names, table } = await runComparison(configs, varied, dir, print, {
    engine: raw.eager ? 'eager' : 'compiled',
    interrupt,
    historyCapacity: testHooks.historyCapacity,
  });
  const written = ['compare.csv', 'compare.txt'];
  if (raw.report !== false && results.length > 0) {
    const png = raw.png !== false && !interrupt.requested;
    const { writeCompareReport } = await import('./report.ts');
    written.push(...reportFiles(dir, await writeCompareReport(dir, results, names, table, { png, logLoss: raw.logLoss })));
  }
  print.line(`outputs: ${dir}/ (${written.join(', ')}, and run-N/ with each run's model.json, loss.csv, summary.json)`);
  return interrupt.requested ? interrupt.exitCode : EXIT.ok;
}

async function explain(raw: RawOptions): Promise<number> {
  const { configs } = configsFromOptions(raw, false);
  await explainCommand(configs[0], explainChoice(raw), raw.run, print.line);
  return EXIT.ok;
}

export function buildProgram(interrupt: Interrupt, done: (code: number) => void): Command {
  const program = new Command('pnpm demo')
    .description("The lab (Backpropagation, see LAB.md) trained through gradlab's computational graph.")
    .enablePositionalOptions() // flags after `compare` belong to compare
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text.split('\n')[0].trim() + '\n') });
  addExportOption(addOutputOptions(addExplainOptions(addTrainingOptions(program, false)))).action(async (raw: RawOptions) => done(await train(raw, interrupt)));
  addExplainOptions(
    addTrainingOptions(
      program
        .command('explain')
        .description(
          "backpropagation on your network, worked: one weight's gradient as the sum over the graph's paths, beside .grad and the lab's hand formula",
        )
        .option('--run <dir>', "a finished run's folder: its weights at epoch 0, --explain-epoch or the end (no training)")
        .exitOverride()
        .configureOutput({ outputError: (text, write) => write(text.split('\n')[0].trim() + '\n') }),
      false,
    ),
  ).action(async (raw: RawOptions) => done(await explain(raw)));
  addOutputOptions(addTrainingOptions(
    program
      .command('compare')
      .description('sweep over flags (comma-separated lists; --hidden alternatives separated by /) and compare the runs')
      .exitOverride()
      .configureOutput({ outputError: (text, write) => write(text.split('\n')[0].trim() + '\n') }),
    true,
  )).action(async (raw: RawOptions) => done(await compare(raw, interrupt)));
  const digits = addDigitsOptions(
    program
      .command('digits')
      .description('a small CNN (conv 8 → pool → conv 16 → pool → linear 10) trained on the UCI handwritten digits with Adam; --model mlp to compare')
      .exitOverride()
      .configureOutput({ outputError: (text, write) => write(text.split('\n')[0].trim() + '\n') }),
  );
  digits.action(async (raw: DigitsRawOptions) => {
    const given = new Set(Object.keys(raw).filter((k) => digits.getOptionValueSource(k) === 'cli'));
    const result = await digitsCommand(raw, { print: print.line, interrupt, progress: process.stdout.isTTY === true, given, ...testHooks.digits });
    done(result.code);
  });
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const interrupt = new Interrupt();
  const uninstall = interrupt.install();
  let code: number = EXIT.ok;
  try {
    await buildProgram(interrupt, (c) => (code = c)).parseAsync(argv, { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof UsageError) {
      console.error(`error: ${error.message}`);
      return EXIT.usage;
    }
    console.error(`error: ${(error as Error).message.split('\n')[0]}`);
    return interrupt.requested ? interrupt.exitCode : EXIT.error;
  } finally {
    uninstall();
  }
}
