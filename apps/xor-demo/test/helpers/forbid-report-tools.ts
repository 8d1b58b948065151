// `node --import tsx --import` this file to make importing the report's tools fail: playwright-core (Chromium),
// esbuild (the report's page script) and @viz-js/viz (Graphviz). A CLI run that never needs them
// must still work, which proves it never loads them. Only imports from the repository's own code
// are refused (tsx, which runs the TypeScript, uses esbuild itself).
import { register } from 'node:module';

const hooks = `
export async function resolve(specifier, context, next) {
  const ours = context.parentURL !== undefined && !context.parentURL.includes('/node_modules/');
  if (ours && /^(playwright-core|esbuild|@viz-js\\/viz)(\\/|$)/.test(specifier)) throw new Error('forbidden import: ' + specifier);
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
