import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import packageJson from '../../package.json' with { type: 'json' };

// The package as another project gets it: `npm pack` of the build `npm ci` made (its `prepare`),
// then `npm install` of the tarball into a fresh project, then plain Node with no type stripping.
// The pack skips `prepare`: rebuilding would empty dist/ while other files run beside this one (the
// dashboard's browser test then found no dist/dashboard/index.html and failed in CI).
const run = promisify(execFile);
const REPO = realpathSync(join(import.meta.dirname, '../..'));
const NPM_FLAGS = ['--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'];

/** The machine's own node (Node 20 here) as well as the project's Node 24 that runs this test. */
function nodes(): string[] {
  const path = (process.env.PATH ?? '').split(delimiter).filter((dir) => dir !== '' && !dir.includes('node_modules'));
  const system = path.map((dir) => join(dir, 'node')).find((file) => existsSync(file));
  return [...new Set([...(system === undefined ? [] : [realpathSync(system)]), process.execPath])];
}

const NODES = nodes();
let packDir: string;
let consumer: string;

async function installedVersion(name: string): Promise<string> {
  const { stdout } = await run(process.execPath, ['-p', `require(${JSON.stringify(`${name}/package.json`)}).version`], { cwd: REPO });
  return stdout.trim();
}

beforeAll(async () => {
  if (!existsSync(join(REPO, 'dist', 'client', 'index.js'))) throw new Error('dist/ is not built: run npm run build (npm ci does)');
  packDir = mkdtempSync(join(tmpdir(), 'runledger-pack-'));
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', packDir, ...NPM_FLAGS], { cwd: REPO, maxBuffer: 16 * 1024 * 1024 });
  const [packed] = z.array(z.object({ filename: z.string() })).parse(JSON.parse(stdout));
  const filename = packed?.filename ?? '';
  expect(filename).toMatch(/^runledger-.*\.tgz$/);

  consumer = mkdtempSync(join(tmpdir(), 'runledger-consumer-'));
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }));
  // runledger/cdk's optional peers, at the versions this repository uses (already in the npm cache).
  const peers = await Promise.all(['aws-cdk-lib', 'constructs', 'esbuild'].map(async (name) => `${name}@${await installedVersion(name)}`));
  await run('npm', ['install', join(packDir, filename), ...peers, ...NPM_FLAGS], { cwd: consumer, maxBuffer: 16 * 1024 * 1024 });
}, 240_000);

// The consumer holds aws-cdk-lib (about 240 MB installed): not something to leave in /tmp per run.
afterAll(() => {
  for (const dir of [consumer, packDir]) if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

const IMPORT_EVERY_ENTRY = `
const client = await import('runledger/client');
const observer = await import('runledger/observer');
const contract = await import('runledger/contract');
const cdk = await import('runledger/cdk');
const openapi = await import('runledger/openapi.json', { with: { type: 'json' } });
console.log(JSON.stringify({
  client: [typeof client.RunReporter, typeof client.EventSender, typeof client.reportingListener],
  observer: typeof observer.parseBusEvent,
  contract: typeof contract.RunEventSchema.safeParse,
  cdk: typeof cdk.RunLedger,
  openapi: openapi.default.openapi,
}));`;

describe('runledger installed from its packed tarball', () => {
  it(`imports runledger/client, /observer, /contract, /cdk and /openapi.json with plain Node (${NODES.length} versions)`, async () => {
    expect(NODES.length).toBeGreaterThanOrEqual(1);
    for (const node of NODES) {
      const { stdout } = await run(node, ['--input-type=module', '-e', IMPORT_EVERY_ENTRY], { cwd: consumer });
      expect(JSON.parse(stdout), node).toEqual({ client: ['function', 'function', 'function'], observer: 'function', contract: 'function', cdk: 'function', openapi: expect.stringMatching(/^3\./) });
    }
  });

  it('runs the installed runledger bin through its shebang: --help exits 0, a wrong command exits 2', async () => {
    const bin = join(consumer, 'node_modules', '.bin', 'runledger');
    for (const node of NODES) {
      // `#!/usr/bin/env node` takes the first node on PATH: put this one first.
      const env = { ...process.env, PATH: `${dirname(node)}${delimiter}${process.env.PATH ?? ''}` };
      const help = await run(bin, ['--help'], { cwd: consumer, env });
      expect(help.stdout, node).toMatch(/^usage: runledger <command>/);
      const wrong = await run(bin, ['statsu'], { cwd: consumer, env }).then(
        () => ({ code: 0, stderr: '' }),
        (error: unknown) => ({ code: error instanceof Error && 'code' in error ? error.code : undefined, stderr: error instanceof Error && 'stderr' in error ? String(error.stderr) : '' }),
      );
      expect(wrong, node).toEqual({ code: 2, stderr: "runledger: unknown command 'statsu' (runledger --help lists them)\n" });
    }
  });

  it('bundles runledger/client for the browser platform: its module graph has no node: import', async () => {
    const result = await build({
      absWorkingDir: consumer,
      stdin: { contents: "export { RunReporter } from 'runledger/client';", resolveDir: consumer },
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      logLevel: 'silent',
    });
    expect(result.errors).toEqual([]);
    expect(result.outputFiles[0]?.text).toMatch(/RunReporter = class/);
  });

  it('gives a strict TypeScript consumer the types of the client, the observer and the contract', async () => {
    writeFileSync(
      join(consumer, 'use.ts'),
      `import { RunReporter, type DeliveryProblem } from 'runledger/client';
import { parseBusEvent } from 'runledger/observer';
import type { RunEvent } from 'runledger/contract';
export const reporter: RunReporter = new RunReporter({ runId: 'r1', onError: (problem: DeliveryProblem) => void problem.reason });
export function failure(input: unknown): string {
  const { detail } = parseBusEvent(input);
  return detail.type === 'run.failed' ? detail.payload.error.message : detail.runId;
}
// @ts-expect-error a RunEvent has no such field: fails to compile if the types were lost to any
export const wrong: RunEvent['noSuchField'] = 1;
`,
    );
    // skipLibCheck off: an import inside the declarations that does not resolve is an error, not a silent any.
    writeFileSync(join(consumer, 'tsconfig.json'), JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false, types: [], lib: ['ES2022', 'DOM'] }, files: ['use.ts'] }));
    const tsc = await run(process.execPath, [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', consumer]).then(
      () => '',
      (error: unknown) => (error instanceof Error && 'stdout' in error ? String(error.stdout) : String(error)),
    );
    expect(tsc).toBe('');
  });

  it('synthesizes a stack with RunLedger from the installed package, and bundles every handler from the sources it ships', async () => {
    // Bundling is skipped in the synth (aws:cdk:bundling-stacks) to keep this test short; the same
    // esbuild settings then bundle every shipped handler, resolving from the consumer's node_modules.
    const synth = `
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Code, Function, Runtime } from 'aws-cdk-lib/aws-lambda';
import { RunLedger } from 'runledger/cdk';
const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
const stack = new Stack(app, 'Consumer');
const runledger = new RunLedger(stack, 'RunLedger', { stage: 'test' });
// A required observer of the consumer's own: its delivery goes through runledger's dispatcher function.
const pager = new Function(stack, 'Pager', { runtime: Runtime.NODEJS_24_X, handler: 'index.handler', code: Code.fromInline('exports.handler = async () => {};') });
runledger.addObserver(pager, { name: 'pager', filter: { types: ['run.failed'] }, required: true });
const resources = Object.values(Template.fromStack(stack).toJSON().Resources);
console.log(resources.filter((resource) => resource.Type === 'AWS::Lambda::Function').length);`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', synth], { cwd: consumer });
    const installed = join(consumer, 'node_modules', packageJson.name);
    const handlers = readdirSync(join(installed, 'functions'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && readdirSync(join(installed, 'functions', entry.name)).includes('handler.ts'))
      .map((entry) => join(installed, 'functions', entry.name, 'handler.ts'));
    expect(handlers.length).toBeGreaterThan(0);
    // Every shipped handler is a function of the stack (the dispatcher too, for the required observer; deliver-webhooks twice:
    // the fan-out and the worker), plus the consumer's own.
    expect(Number(stdout.trim())).toBe(handlers.length + 2);

    const bundled = await build({
      absWorkingDir: consumer,
      entryPoints: handlers,
      outdir: join(consumer, 'bundles'),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node24',
      external: ['@aws-sdk/*'],
      write: false,
      logLevel: 'silent',
    });
    expect(bundled.errors).toEqual([]);
    expect(bundled.outputFiles.length).toBe(handlers.length);
  });
});
