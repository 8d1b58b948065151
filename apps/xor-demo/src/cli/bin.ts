#!/usr/bin/env node
// Entry point of `pnpm demo`.
import { main } from './main.ts';

process.exitCode = await main(process.argv.slice(2));
