/**
 * `npm run build` (and `prepare`, so `npm pack`, `npm ci` and `npm install <git url>` run it): the
 * JavaScript and type declarations that let other projects use this package with plain Node 20+.
 *
 * - JavaScript: esbuild bundles each entry point's own code (npm packages stay imports) into
 *   dist/, sharing common code in dist/chunks/. The `#shared/*` aliases and `.ts` specifiers are
 *   resolved at bundle time, so the output needs neither.
 * - The dashboard: Vite writes dist/dashboard (below).
 * - Types: `tsc --emitDeclarationOnly --noCheck` (tsconfig.build.json) writes declarations to
 *   dist/types/, which keep the aliases; dist/types/package.json maps them there for TypeScript.
 *   `npm run typecheck` is what checks the types, so the build does not check them twice.
 */
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import packageJson from '../package.json' with { type: 'json' };

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** What Node runs from the package: the public modules, the bin, and the local stack `runledger dev` starts. */
export const ENTRY_POINTS = [
  'client/index.ts',
  'shared/bus/published-event.ts',
  'functions/observer-runtime/index.ts',
  'shared/contract/event.ts',
  'infra/constructs/runledger.ts',
  'cli/runledger.ts',
  'local/main.ts',
];

const startedAt = performance.now();
rmSync(`${ROOT}dist`, { recursive: true, force: true });

await build({
  absWorkingDir: ROOT,
  entryPoints: ENTRY_POINTS,
  outbase: '.',
  outdir: 'dist',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  // The oldest Node the package promises (package.json engines); Lambda bundles are built separately, for node24.
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
});

const tsc = spawnSync(process.execPath, [`${ROOT}node_modules/typescript/bin/tsc`, '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
if (tsc.status !== 0) throw new Error(`tsc --emitDeclarationOnly exited ${tsc.status ?? tsc.signal ?? 'abnormally'}`);

// Declarations keep `#shared/x.ts` imports: this package scope sends them to the declarations beside
// it (`#shared/*.ts` -> `./shared/*.d.ts`; TypeScript does not try .d.ts for a .ts target by itself).
const typeImports = Object.fromEntries(
  Object.entries(packageJson.imports)
    .filter(([alias]) => alias !== '#test/*')
    .map(([alias, target]) => [`${alias}.ts`, `${target}.d.ts`]),
);
writeFileSync(`${ROOT}dist/types/package.json`, `${JSON.stringify({ type: 'module', imports: typeImports }, null, 2)}\n`);

// The dashboard (dashboard/, React + Vite): dist/dashboard, served by the local stack at /ui/ and
// deployed by the RunLedger construct's `dashboard` option. Built here so `npm ci` leaves a fresh
// clone able to serve it; the built files are never committed.
const { build: buildDashboard } = await import('vite');
await buildDashboard({ configFile: `${ROOT}dashboard/vite.config.ts`, logLevel: 'warn' });

process.stderr.write(`built dist/ in ${Math.round(performance.now() - startedAt)} ms\n`);
