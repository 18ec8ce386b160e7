#!/usr/bin/env node
/**
 * The `runledger` command (package.json "bin", e.g. after `npm link`). Node runs this TypeScript
 * file as it is (type stripping), so the `node` on PATH must be Node 24 or later, and the file must
 * not sit inside node_modules (Node strips no types there); `npm run runledger -- <command>` uses
 * the project's own Node 24 whatever the system has.
 */
import { runCli } from './run-cli.ts';

if (import.meta.main) {
  const stdin = process.stdin.isTTY ? undefined : process.stdin;
  process.exitCode = await runCli(process.argv.slice(2), process.env, {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    stdin,
  });
}
