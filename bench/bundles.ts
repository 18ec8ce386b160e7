import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { API_FUNCTIONS, BUNDLE_BUDGET_BYTES, INIT_BUDGET_MS, bundleFunction } from './bundle-function.ts';

export type BundleReport = { name: string; bytes: number; initMs: number };

/**
 * Each API function bundled exactly as CDK bundles it (same esbuild options), its size, and the
 * median time to import it in a fresh Node 24 process: the module init part of a cold start (the
 * AWS SDK, left to the runtime, is loaded from node_modules here as the runtime loads its own).
 */
export async function measureBundles(runs = 5): Promise<BundleReport[]> {
  const outDir = resolve('.runledger/bench-bundles');
  mkdirSync(outDir, { recursive: true });
  const reports: BundleReport[] = [];
  for (const name of API_FUNCTIONS) {
    const outfile = join(outDir, `${name}.mjs`);
    await build({ ...bundleFunction(name), outfile });
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

/** One line per function, its size and init time beside the targets, marked when over either. */
export function formatBundleReport({ name, bytes, initMs }: BundleReport): string {
  const kib = bytes / 1024;
  const over = [bytes > BUNDLE_BUDGET_BYTES ? 'size' : '', initMs > INIT_BUDGET_MS ? 'init' : ''].filter(Boolean).join('+');
  return `  ${name.padEnd(14)} ${kib.toFixed(1).padStart(7)} KiB / ${BUNDLE_BUDGET_BYTES / 1024}   init ${initMs.toFixed(1).padStart(6)} ms / ${INIT_BUDGET_MS}${over === '' ? '' : `   OVER (${over})`}`;
}
