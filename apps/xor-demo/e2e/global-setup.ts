// Builds the app with vite's JS API into artifacts/e2e-dist and serves it on a free localhost port.
import { rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build, preview } from 'vite';
import type { TestProject } from 'vitest/node';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const outDir = fileURLToPath(new URL('../artifacts/e2e-dist', import.meta.url));

declare module 'vitest' {
  export interface ProvidedContext {
    /** The served app, e.g. http://127.0.0.1:41234/ */
    baseUrl: string;
    /** The build output, for checks on the files themselves. */
    distDir: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const configFile = `${appDir}/vite.config.ts`;
  await build({ root: appDir, configFile, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  const server = await preview({
    root: appDir,
    configFile,
    logLevel: 'warn',
    build: { outDir },
    preview: { host: '127.0.0.1', port: 0, strictPort: true, open: false },
  });
  const address = server.httpServer.address() as AddressInfo;
  project.provide('baseUrl', `http://127.0.0.1:${address.port}/`);
  project.provide('distDir', outDir);
  return async () => {
    await server.close();
    await rm(outDir, { recursive: true, force: true });
  };
}
