import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { buildApp } from '#infra/app.ts';
import { RunLedger } from '#infra/constructs/runledger.ts';
import { context } from './support.ts';

const build = (overrides: Record<string, unknown>) => () => buildApp(new App({ context: context(overrides) }));

describe('configuration', () => {
  it.each([
    ['retentionDays', -1, /context 'retentionDays' \(-c retentionDays=\.\.\.\): must be at least 1/],
    ['stage', 'Prod_1', /context 'stage'.*lowercase letters/],
    ['logRetentionDays', 10, /context 'logRetentionDays'.*must be one of 1, 3, 5, 7, 14, 30/],
    ['removalPolicy', 'keep', /context 'removalPolicy'.*"retain" or "destroy"/],
    ['alertEmail', 'not-an-email', /context 'alertEmail'.*email address/],
    ['throttleRateLimit', 'fast', /context 'throttleRateLimit'/],
  ])('fails synth naming the key when %s is %j', (key, value, message) => {
    expect(build({ [key]: value })).toThrow(message);
  });

  it('names every bad key at once', () => {
    expect(build({ retentionDays: 0, maxEventsPerRun: 0 })).toThrow(/retentionDays[\s\S]*maxEventsPerRun/);
  });

  it('checks RunLedger props at construction, naming the prop', () => {
    expect(() => new RunLedger(new App(), 'Bad', { retentionDays: 0 })).toThrow(/prop 'retentionDays': must be at least 1/);
  });
});
