// `compare`: a sweep over flags, one run per combination, and a table for the report's discussion.
// A run that diverges is a result like any other (its row says so) and the sweep goes on; Ctrl-C
// ends the sweep after writing the run it interrupted and the table of the runs so far.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { LabConfig } from '../lab/config.ts';
import type { Engine } from '../lab/trainer.ts';
import { duration, percent, pythonFloat } from '../lab/format.ts';
import { flagName, type SWEEPABLE } from './options.ts';
import { trainWithPrintout, writeRunOutputs, type Printer, type RunResult } from './run.ts';
import { writeFileAtomic } from './files.ts';
import type { Interrupt } from './interrupt.ts';

type Key = (typeof SWEEPABLE)[number];

function valueText(config: LabConfig, key: Key): string {
  const v = config[key];
  return Array.isArray(v) ? v.join(',') : String(v);
}

/** A plain text table, columns padded to their widest cell. */
export function textTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => rows.reduce((w, r) => Math.max(w, r[i].length), h.length));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** The "epochs to stop rule" cell. */
function stopCell(r: RunResult): string {
  switch (r.stopReason) {
    case 'converged':
      return String(r.epochs);
    case 'max-epochs':
      return `not reached (${r.epochs})`;
    case 'diverged':
      return `diverged at ${r.divergence!.epoch}`;
    default:
      return `interrupted (${r.epochs})`;
  }
}

/** The "final loss" cell: the last pass's mean loss, or the loss that diverged. */
function lossCell(r: RunResult): string {
  if (r.divergence) return pythonFloat(r.divergence.loss);
  return Number.isFinite(r.finalLoss) ? r.finalLoss.toPrecision(4) : pythonFloat(r.finalLoss);
}

export interface CompareOptions {
  engine?: Engine;
  interrupt?: Interrupt;
  historyCapacity?: number;
}

export async function runComparison(configs: LabConfig[], varied: Key[], outDir: string, print: Printer, options: CompareOptions = {}) {
  const keys = varied.length ? varied : (['lr'] as Key[]);
  const results: RunResult[] = [];
  const names: string[] = [];
  for (const [k, config] of configs.entries()) {
    if (options.interrupt?.requested) break;
    const name = keys.map((key) => `${flagName(key)}=${valueText(config, key)}`).join(' ');
    print.line(`run ${k + 1}/${configs.length}: ${name}`);
    const dir = join(outDir, `run-${k + 1}`);
    await mkdir(dir);
    const result = await trainWithPrintout(config, print, {
      progress: false,
      quiet: true,
      engine: options.engine,
      dir,
      interrupt: options.interrupt,
      historyCapacity: options.historyCapacity,
    });
    results.push(result);
    names.push(name);
    await writeRunOutputs(dir, result);
  }
  const header = [...keys.map(flagName), 'epochs to stop rule', 'final loss', 'accuracy', 'time'];
  const rows = results.map((r) => [...keys.map((key) => valueText(r.config, key)), stopCell(r), lossCell(r), percent(r.accuracy), duration(r.milliseconds)]);
  const table = textTable(header, rows);
  print.line('');
  print.line(table);
  const csvRows = results.map((r, k) =>
    [
      ...keys.map((key) => JSON.stringify(valueText(r.config, key))),
      r.stopReason === 'converged',
      r.stopReason,
      r.divergence ? r.divergence.epoch : r.epochs,
      r.divergence ? pythonFloat(r.divergence.loss) : r.finalLoss,
      r.accuracy,
      r.milliseconds / 1000,
      `run-${k + 1}`,
    ].join(','),
  );
  await writeFileAtomic(
    join(outDir, 'compare.csv'),
    `${[...keys.map(flagName), 'converged', 'stop_reason', 'epochs', 'final_loss', 'accuracy', 'seconds', 'folder'].join(',')}\n${csvRows.join('\n')}\n`,
  );
  await writeFileAtomic(join(outDir, 'compare.txt'), `${table}\n`);
  return { results, names, table };
}
