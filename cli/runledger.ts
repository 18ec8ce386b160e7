#!/usr/bin/env node
/**
 * The `runledger` command. Installed as a package, `bin` runs the build of this file
 * (dist/cli/runledger.js) on any Node 20+; in this checkout, `npm run runledger -- <command>` runs
 * it from source on the project's Node 24. It is only ever run, never imported: no main-module check,
 * which Node 20 could not make anyway (no import.meta.main).
 */
import { processIo } from './process-io.ts';
import { runCli } from './run-cli.ts';

process.exitCode = await runCli(process.argv.slice(2), process.env, processIo());
