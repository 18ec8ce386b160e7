import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { buildApp } from '#infra/app.ts';
import { context, synthesize } from './support.ts';

describe('cdk-nag AwsSolutions', () => {
  it('has no unacknowledged finding on the stack', () => {
    expect(() => synthesize()).not.toThrow();
  });

  it('is really checking: an unencrypted, unlogged bucket fails synth', () => {
    const app = new App({ context: context() });
    const { stack } = buildApp(app);
    new Bucket(stack, 'Careless');
    expect(() => app.synth()).toThrow(/AwsSolutions-S1|server access logs/);
  });
});

describe('cdk synth (the pinned 2.x CLI)', () => {
  it('synthesizes offline with no AWS credentials, bundling with the local esbuild', () => {
    const out = mkdtempSync(join(tmpdir(), 'cdk-out-'));
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('AWS_')));
    const result = spawnSync('node_modules/.bin/cdk', ['synth', '--no-notices', '-q', '-o', out], {
      env: { ...env, CDK_DISABLE_CLI_TELEMETRY: 'true', CI: 'true' },
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(result.status, result.stderr).toBe(0);
    const template = join(out, 'RunLedger-dev.template.json');
    expect(existsSync(template)).toBe(true);
    expect(readFileSync(template, 'utf8')).toContain('nodejs24.x');
  }, 150_000);
});
