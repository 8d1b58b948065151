// `compare`: a sweep over flags, one run per combination, and a table for the report's discussion.
import { join } from 'node:path';
import type { LabConfig } from '../lab/config.ts';
import type { Engine } from '../lab/trainer.ts';
import { duration, percent } from '../lab/format.ts';
import { flagName, type SWEEPABLE } from './options.ts';
import { trainWithPrintout, writeRunOutputs, type Printer, type RunResult } from './run.ts';
import { writeFileAtomic } from './files.ts';

type Key = (typeof SWEEPABLE)[number];

function valueText(config: LabConfig, key: Key): string {
  const v = config[key];
  return Array.isArray(v) ? v.join(',') : String(v);
}

/** A plain text table, columns padded to their widest cell. */
export function textTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export async function runComparison(configs: LabConfig[], varied: Key[], outDir: string, print: Printer, engine?: Engine) {
  const keys = varied.length ? varied : (['lr'] as Key[]);
  const results: RunResult[] = [];
  const names: string[] = [];
  for (const [k, config] of configs.entries()) {
    const name = keys.map((key) => `${flagName(key)}=${valueText(config, key)}`).join(' ');
    print.line(`run ${k + 1}/${configs.length}: ${name}`);
    const result = await trainWithPrintout(config, print, { progress: false, quiet: true, engine });
    results.push(result);
    names.push(name);
    await writeRunOutputs(join(outDir, `run-${k + 1}`), result);
  }
  const header = [...keys.map(flagName), 'epochs to stop rule', 'final loss', 'accuracy', 'time'];
  const rows = results.map((r) => [
    ...keys.map((key) => valueText(r.config, key)),
    r.stopReason === 'converged' ? String(r.epochs) : `not reached (${r.epochs})`,
    r.finalLoss.toPrecision(4),
    percent(r.accuracy),
    duration(r.milliseconds),
  ]);
  const table = textTable(header, rows);
  print.line('');
  print.line(table);
  const csvRows = results.map((r, k) =>
    [...keys.map((key) => JSON.stringify(valueText(r.config, key))), r.stopReason === 'converged', r.epochs, r.finalLoss, r.accuracy, r.milliseconds / 1000, `run-${k + 1}`].join(','),
  );
  await writeFileAtomic(
    join(outDir, 'compare.csv'),
    `${[...keys.map(flagName), 'converged', 'epochs', 'final_loss', 'accuracy', 'seconds', 'folder'].join(',')}\n${csvRows.join('\n')}\n`,
  );
  await writeFileAtomic(join(outDir, 'compare.txt'), `${table}\n`);
  return { results, names, table };
}
