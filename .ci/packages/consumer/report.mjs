// @gradlab/viz/node from the published package: the report's page script comes prebuilt
// (esbuild is not installed here), and the HTML embeds it.
import { buildReport } from '@gradlab/viz/node';

const html = await buildReport({
  title: 'consumer',
  config: { dims: '[2, 3, 3, 1]' },
  printout: 'accuracy: 100.00%',
  runs: [{ label: 'lr=0.8', epochs: [1, 2, 3], losses: [0.3, 0.2, 0.1] }],
});
const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1].length);
console.log(`report: ${html.length} characters, page script ${Math.max(0, ...scripts)} characters`);
