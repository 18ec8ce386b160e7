import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { API_FUNCTIONS, BUNDLE_BUDGET_BYTES, INIT_BUDGET_MS, bundleFunction } from './bundle-function.ts';

export type BundleReport = {
  name: string;
  bytes: number;
  /** Median time to import the bundle in a fresh Node process: the module init part of a cold start. */
  initMs: number;
  /** The same with the AWS SDK packages it imports already loaded: the part the bundle itself costs. */
  ownMs: number;
  /** The SDK packages the runtime provides and the bundle imports (left out of the zip). */
  sdk: string[];
};

// What the stack sets in every API function's environment that its config requires at cold start.
const PROBE_ENV = { RUNLEDGER_TABLE_NAME: 'bench', AWS_REGION: 'us-east-1', POWERTOOLS_LOG_LEVEL: 'ERROR', RUNLEDGER_WEBHOOK_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/bench' };

/**
 * Each API function bundled exactly as CDK bundles it (same esbuild options), its size, and the
 * median of `runs` imports in fresh Node 24 processes. The SDK is loaded from node_modules as the
 * Lambda runtime loads its own copy; `ownMs` takes it out, to show what the bundle controls.
 */
export async function measureBundles(runs = 5): Promise<BundleReport[]> {
  const outDir = resolve('.runledger/bench-bundles');
  mkdirSync(outDir, { recursive: true });
  const reports: BundleReport[] = [];
  for (const name of API_FUNCTIONS) {
    const outfile = join(outDir, `${name}.mjs`);
    const { metafile } = await build({ ...bundleFunction(name), outfile, metafile: true });
    const sdk = [...new Set(Object.values(metafile.outputs).flatMap((output) => output.imports.filter((i) => i.external && i.path.startsWith('@aws-sdk/')).map((i) => i.path)))].sort();
    const url = `file://${outfile}`;
    reports.push({
      name,
      bytes: statSync(outfile).size,
      initMs: median(runs, () => importTime(url, [])),
      ownMs: median(runs, () => importTime(url, sdk)),
      sdk,
    });
  }
  return reports;
}

/** Milliseconds to import `url` in a fresh process, after importing `preload` (untimed). */
function importTime(url: string, preload: string[]): number {
  const script = `${preload.map((module) => `await import(${JSON.stringify(module)});`).join(' ')} const t = performance.now(); await import(${JSON.stringify(url)}); console.log(performance.now() - t);`;
  const probe = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, ...PROBE_ENV }, encoding: 'utf8' });
  if (probe.status !== 0) throw new Error(`importing ${url} failed: ${probe.stderr}`);
  return Number(probe.stdout.trim());
}

function median(runs: number, sample: () => number): number {
  const times = Array.from({ length: runs }, sample).sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? 0;
}

/** One line per function, its size and init times beside the targets, marked when over one. */
export function formatBundleReport({ name, bytes, initMs, ownMs }: BundleReport): string {
  const over = [bytes > BUNDLE_BUDGET_BYTES ? 'size' : '', initMs > INIT_BUDGET_MS ? 'init' : ''].filter(Boolean).join('+');
  return [
    `  ${name.padEnd(14)}`,
    `${(bytes / 1024).toFixed(1).padStart(6)} KiB / ${BUNDLE_BUDGET_BYTES / 1024}`,
    `init ${initMs.toFixed(1).padStart(6)} ms / ${INIT_BUDGET_MS}`,
    `(bundle alone ${ownMs.toFixed(1).padStart(5)} ms, the SDK the rest)`,
    over === '' ? '' : `OVER: ${over}`,
  ].join('   ').trimEnd();
}
