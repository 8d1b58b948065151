// `pnpm demo`: the lab reproduced through the graph. `pnpm demo compare ...`: experiments.
import { Command, CommanderError } from 'commander';
import { relative, resolve } from 'node:path';
import { addTrainingOptions, configsFromOptions, UsageError, type RawOptions } from './options.ts';
import { trainWithPrintout, writeRunOutputs } from './run.ts';
import { runComparison } from './compare.ts';
import { timestampFolder } from './files.ts';
import { writeCompareReport, writeRunReport } from './report.ts';

/** The report's file names; says in one line when PNGs were skipped and how to get them. */
async function reportFiles(dir: string, result: { written: string[]; message?: string }): Promise<string[]> {
  if (result.message) print.line(result.message);
  return Promise.resolve(result.written.map((p) => relative(dir, p)));
}

const print = { line: (text: string) => console.log(text) };

async function train(raw: RawOptions): Promise<void> {
  const { configs } = configsFromOptions(raw, false);
  const engine = raw.eager ? 'eager' : 'compiled';
  const result = await trainWithPrintout(configs[0], print, { progress: process.stdout.isTTY === true, quiet: raw.quiet, engine });
  const dir = resolve(raw.out ?? timestampFolder());
  const written = await writeRunOutputs(dir, result);
  if (raw.report !== false) written.push(...(await reportFiles(dir, await writeRunReport(dir, result, { png: raw.png !== false }))));
  print.line(`outputs: ${dir}/ (${written.join(', ')})`);
}

async function compare(raw: RawOptions): Promise<void> {
  const { configs, varied } = configsFromOptions(raw, true);
  if (configs.length > 64) throw new UsageError(`compare: ${configs.length} combinations is too many (at most 64)`);
  const dir = resolve(raw.out ?? timestampFolder('compare-'));
  const { results, names, table } = await runComparison(configs, varied, dir, print, raw.eager ? 'eager' : 'compiled');
  const written = ['compare.csv', 'compare.txt'];
  if (raw.report !== false) {
    written.push(...(await reportFiles(dir, await writeCompareReport(dir, results, names, table, { png: raw.png !== false }))));
  }
  print.line(`outputs: ${dir}/ (${written.join(', ')}, and run-N/ with each run's model.json, loss.csv, summary.json)`);
}

export function buildProgram(): Command {
  const program = new Command('pnpm demo')
    .description("The lab (Backpropagation, see LAB.md) trained through gradlab's computational graph.")
    .enablePositionalOptions() // flags after `compare` belong to compare
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text.split('\n')[0].trim() + '\n') });
  addTrainingOptions(program, false).action((raw: RawOptions) => train(raw));
  addTrainingOptions(
    program
      .command('compare')
      .description('sweep over flags (comma-separated lists; --hidden alternatives separated by /) and compare the runs')
      .exitOverride()
      .configureOutput({ outputError: (text, write) => write(text.split('\n')[0].trim() + '\n') }),
    true,
  ).action((raw: RawOptions) => compare(raw));
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? 0 : 2;
    }
    if (error instanceof UsageError) {
      console.error(`error: ${error.message}`);
      return 2;
    }
    console.error(`error: ${(error as Error).message}`);
    return 1;
  }
}
