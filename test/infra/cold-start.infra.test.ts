import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { buildApp } from '#infra/app.ts';
import { API_FUNCTIONS, BUNDLE_BUDGET_BYTES } from '#bench/bundle-function.ts';
import { context, synthesize } from './support.ts';

// A string only the X-Ray SDK's bundled code holds (its daemon address setting).
const XRAY_SDK_MARKER = 'AWS_XRAY_DAEMON_ADDRESS';
const bundleOf = (assetDir: string) => readFileSync(join(assetDir, 'index.mjs'), 'utf8');

type LambdaFunction = { Properties: { Code?: { S3Key?: unknown }; Environment?: { Variables?: Record<string, unknown> } } };

/** Every function of a synthesized app: its handler folder, environment and the asset folder CDK bundled it into. */
function functionsOf(synthesized: ReturnType<typeof synthesize>) {
  const functions = Object.values(synthesized.template.findResources('AWS::Lambda::Function')) as LambdaFunction[];
  return functions.flatMap(({ Properties: { Code, Environment } }) => {
    const service = Environment?.Variables?.POWERTOOLS_SERVICE_NAME;
    const key = Code?.S3Key;
    // Functions CDK itself adds (log retention, bucket notifications) carry inline code, not a runledger bundle.
    if (typeof service !== 'string' || typeof key !== 'string') return [];
    return [{ handler: service.replace(/^runledger-/, ''), variables: Environment?.Variables ?? {}, assetDir: join(synthesized.assembly.directory, `asset.${key.replace(/\.zip$/, '')}`) }];
  });
}

describe('function bundles (issue 13 item 9)', () => {
  // One synthesis of the app as `cdk synth` builds it: every function bundled by CDK's own esbuild run.
  const synthesized = synthesize();
  const functions = functionsOf(synthesized);

  it('bundles every API function (the route handlers and the authorizer)', () => {
    expect(functions.map(({ handler }) => handler)).toEqual(expect.arrayContaining([...API_FUNCTIONS]));
  });

  it.each(API_FUNCTIONS)('keeps the %s bundle under 250 KiB', (name) => {
    const fn = functions.find(({ handler }) => handler === name);
    expect(fn, `no function for ${name}`).toBeDefined();
    const bytes = statSync(join(fn?.assetDir ?? '', 'index.mjs')).size;
    expect(bytes, `${name} is ${(bytes / 1024).toFixed(1)} KiB`).toBeLessThanOrEqual(BUNDLE_BUDGET_BYTES);
  });

  it('bundles no X-Ray SDK by default (traceCalls off)', () => {
    for (const { handler, assetDir } of functions) expect(bundleOf(assetDir).includes(XRAY_SDK_MARKER), handler).toBe(false);
  });

  it('ships no source map and no --enable-source-maps by default', () => {
    for (const { handler, assetDir, variables } of functions) {
      expect(readdirSync(assetDir).filter((file) => file.endsWith('.map')), handler).toEqual([]);
      expect(variables.NODE_OPTIONS, handler).toBeUndefined();
    }
  });
});

describe('sourceMaps and traceCalls on', () => {
  // `-c sourceMaps=true` arrives as a string. One synthesis for both switches: each is its own build option.
  const functions = functionsOf(synthesize({ sourceMaps: 'true', traceCalls: 'true' }));

  it('puts a map beside every bundle and runs Node with --enable-source-maps', () => {
    expect(functions.length).toBeGreaterThan(API_FUNCTIONS.length);
    for (const { handler, assetDir, variables } of functions) {
      expect(existsSync(join(assetDir, 'index.mjs.map')), handler).toBe(true);
      expect(variables.NODE_OPTIONS, handler).toBe('--enable-source-maps');
    }
  });

  it('bundles the X-Ray SDK into every function that calls DynamoDB', () => {
    for (const name of API_FUNCTIONS.filter((handler) => handler !== 'health' && handler !== 'get-openapi')) {
      const fn = functions.find(({ handler }) => handler === name);
      expect(bundleOf(fn?.assetDir ?? '').includes(XRAY_SDK_MARKER), name).toBe(true);
    }
  });

  it.each(['sourceMaps', 'traceCalls'])('fails synth naming the key when %s is not a boolean', (key) => {
    expect(() => buildApp(new App({ context: context({ [key]: 'sometimes' }) }))).toThrow(new RegExp(`context '${key}'.*must be true or false`));
  });
});
