// Output folders. Files are written with `writeFileAtomic` from @gradlab/nn/node (the repository's
// one atomic writer): a temporary file beside the target, renamed over it, so a crash never leaves
// a half-written file.
import { existsSync } from 'node:fs';

export { writeFileAtomic } from '@gradlab/nn/node';

/** A new folder name `runs/2026-11-28T19-04-05` (local time, sortable, no characters a file system dislikes). */
export function timestampFolder(prefix = ''): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  const base = `runs/${prefix}${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}-${p(d.getMinutes())}-${p(d.getSeconds())}`;
  // two runs in the same second get their own folders
  let folder = base;
  for (let k = 2; existsSync(folder); k++) folder = `${base}-${k}`;
  return folder;
}
