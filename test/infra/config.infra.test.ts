import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { buildApp } from '#infra/app.ts';
import { RunLedger } from '#infra/constructs/runledger.ts';
import { configFromContext, MAX_EVENTS_PER_RUN_LIMIT, RUNLEDGER_DEFAULTS } from '#infra/config.ts';
import { ITEM_COLLECTION_LIMIT_BYTES, worstCaseRunBytes } from '#infra/limits.ts';
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

  it('refuses a maxEventsPerRun whose worst-case run passes the byTask index’s 10 GB, naming the key, the limit and why', () => {
    expect(build({ maxEventsPerRun: MAX_EVENTS_PER_RUN_LIMIT + 1 })).toThrow(
      new RegExp(`context 'maxEventsPerRun' \\(-c maxEventsPerRun=\\.\\.\\.\\): must be at most ${MAX_EVENTS_PER_RUN_LIMIT}: a run of 64 KiB task events takes up to \\d+ bytes each .*10 GB`),
    );
    expect(() => new RunLedger(new App(), 'Big', { maxEventsPerRun: 100_000 })).toThrow(/prop 'maxEventsPerRun': must be at most/);
  });

  it('accepts maxEventsPerRun up to the limit, and the default is well within it', () => {
    expect(configFromContext((key) => (key === 'maxEventsPerRun' ? MAX_EVENTS_PER_RUN_LIMIT : undefined)).maxEventsPerRun).toBe(MAX_EVENTS_PER_RUN_LIMIT);
    expect(worstCaseRunBytes(MAX_EVENTS_PER_RUN_LIMIT)).toBeLessThanOrEqual(ITEM_COLLECTION_LIMIT_BYTES);
    expect(worstCaseRunBytes(RUNLEDGER_DEFAULTS.maxEventsPerRun)).toBeLessThan(0.75 * ITEM_COLLECTION_LIMIT_BYTES);
  });

  it.each([
    ['archivePartitioning', 'customer', /context 'archivePartitioning'.*"tenant" or "date"/],
    ['archiveActivePartitionsQuota', 5_001, /context 'archiveActivePartitionsQuota'.*at most 5000/],
    ['archiveActivePartitionsQuota', 0, /context 'archiveActivePartitionsQuota'.*at least 1/],
  ])('refuses archive setting %s = %j, naming the key', (key, value, message) => {
    expect(build({ [key]: value })).toThrow(message);
  });
});
