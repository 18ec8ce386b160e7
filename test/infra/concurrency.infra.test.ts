import { App } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp } from '#infra/app.ts';
import { context, synthesize } from './support.ts';

// Bundling the functions says nothing about their concurrency: skip it (CDK's own switch).
const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };
const defaults = synthesize(NO_BUNDLING).template;
const tuned = synthesize({ ...NO_BUNDLING, maxOpenStreams: 400, ingestReservedConcurrency: 200, authorizerReservedConcurrency: 30 }).template;

type Fn = { Properties: { Environment?: { Variables?: Record<string, unknown> }; ReservedConcurrentExecutions?: number; Role: unknown } };
function functionOf(template: typeof defaults, handler: string): Fn {
  const found = (Object.values(template.findResources('AWS::Lambda::Function')) as Fn[]).find(
    (fn) => fn.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === `runledger-${handler}`,
  );
  if (found === undefined) throw new Error(`no function runledger-${handler}`);
  return found;
}
const reserved = (template: typeof defaults, handler: string) => functionOf(template, handler).Properties.ReservedConcurrentExecutions;

describe('concurrency isolation', () => {
  it('reserves 110 for streams (100 open + 10 for the quick answers), 200 for ingest (the stage’s burst) and 50 for the authorizer by default: 640 of a fresh account’s 1,000 stay unreserved', () => {
    expect([reserved(defaults, 'stream-run'), reserved(defaults, 'ingest-events'), reserved(defaults, 'authorize')]).toEqual([110, 200, 50]);
    expect(functionOf(defaults, 'stream-run').Properties.Environment?.Variables?.RUNLEDGER_MAX_OPEN_STREAMS).toBe('100');
  });

  it('takes the numbers from maxOpenStreams (plus a tenth as headroom), ingestReservedConcurrency and authorizerReservedConcurrency', () => {
    expect([reserved(tuned, 'stream-run'), reserved(tuned, 'ingest-events'), reserved(tuned, 'authorize')]).toEqual([440, 200, 30]);
    expect(functionOf(tuned, 'stream-run').Properties.Environment?.Variables?.RUNLEDGER_MAX_OPEN_STREAMS).toBe('400');
  });

  it('leaves the other functions on the unreserved pool', () => {
    for (const handler of ['get-run', 'list-events', 'relay', 'metrics-observer']) expect(reserved(defaults, handler)).toBeUndefined();
  });

  it('lets stream-run take and free its slots in the STREAMS partition only', () => {
    defaults.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
            Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['STREAMS'] } },
          }),
        ]),
      },
    });
  });

  it.each([
    [{ maxOpenStreams: 0 }, /context 'maxOpenStreams'.*at least 1/],
    [{ ingestReservedConcurrency: 'lots' }, /context 'ingestReservedConcurrency'/],
    [{ maxOpenStreams: 600, ingestReservedConcurrency: 200 }, /context 'maxOpenStreams'.*reserves 910 of accountConcurrency 1000.*at most 900/],
  ])('refuses %j at synth, naming the key', (overrides, message) => {
    expect(() => buildApp(new App({ context: context({ ...NO_BUNDLING, ...overrides }) }))).toThrow(message);
  });

  it('accepts larger reservations in an account whose limit was raised (accountConcurrency)', () => {
    expect(() => buildApp(new App({ context: context({ ...NO_BUNDLING, maxOpenStreams: 2000, accountConcurrency: 5000 }) }))).not.toThrow();
  });
});
