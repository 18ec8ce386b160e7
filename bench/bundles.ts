import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { BUNDLING } from '#infra/constructs/handler-function.ts';

export type BundleReport = { name: string; bytes: number; initMs: number };

const FUNCTIONS = ['ingest-events', 'get-run', 'health', 'authorize'];

/**
 * Each function bundled exactly as CDK bundles it (same esbuild options), its size, and the
 * median time to import it in a fresh Node 24 process: the module init part of a cold start.
 */
export async function measureBundles(runs = 5): Promise<BundleReport[]> {
  const outDir = resolve('.runledger/bench-bundles');
  mkdirSync(outDir, { recursive: true });
  const reports: BundleReport[] = [];
  for (const name of FUNCTIONS) {
    const outfile = join(outDir, `${name}.mjs`);
    await build({
      entryPoints: [`functions/${name}/handler.ts`],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: BUNDLING.target,
      minify: BUNDLING.minify,
      mainFields: [...BUNDLING.mainFields],
      external: [...BUNDLING.externalModules],
      banner: { js: BUNDLING.banner },
      logLevel: 'error',
    });
    const times: number[] = [];
    for (let run = 0; run < runs; run++) {
      const probe = spawnSync(
        process.execPath,
        ['--input-type=module', '-e', `const t = performance.now(); await import(${JSON.stringify(`file://${outfile}`)}); console.log(performance.now() - t);`],
        { env: { ...process.env, RUNLEDGER_TABLE_NAME: 'bench', AWS_REGION: 'us-east-1', POWERTOOLS_LOG_LEVEL: 'ERROR' }, encoding: 'utf8' },
      );
      if (probe.status !== 0) throw new Error(`importing ${name} failed: ${probe.stderr}`);
      times.push(Number(probe.stdout.trim()));
    }
    times.sort((a, b) => a - b);
    reports.push({ name, bytes: statSync(outfile).size, initMs: times[Math.floor(times.length / 2)] ?? 0 });
  }
  return reports;
}
