import { describe, expect, it } from 'vitest';
import { makeDynamoDbClient } from '#adapters/dynamodb/client.ts';
import { compose, MissingClientError } from '#functions/runtime/compose.ts';
import { ConfigError, loadConfig } from '#functions/runtime/config.ts';
import { publisherOf } from '#functions/runtime/parts/publishing.ts';
import { eventStoreOf } from '#functions/runtime/parts/stores.ts';
import { RUN_DEFAULTS } from '#shared/defaults.ts';

function problemsOf(env: Record<string, string>): Array<{ key: string; message: string }> {
  try {
    loadConfig(env);
  } catch (error: unknown) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('the configuration was accepted');
}

describe('function configuration', () => {
  it('names every bad key at once, each with what is wrong, in a ConfigError (not a raw zod error)', () => {
    const env = {
      RUNLEDGER_RETENTION_DAYS: 'soon',
      RUNLEDGER_MAX_EVENTS_PER_RUN: '0',
      RUNLEDGER_DYNAMODB_ENDPOINT: 'not a url',
      RUNLEDGER_PUBLISH_PATTERNS: '{"not": "an array"}',
      RUNLEDGER_STREAM_POLL_MS: '1',
      POWERTOOLS_LOG_LEVEL: 'LOUD',
    };
    const problems = problemsOf(env);
    expect(problems.map(({ key }) => key).sort()).toEqual(Object.keys(env).sort());
    expect(problems).toContainEqual({ key: 'RUNLEDGER_MAX_EVENTS_PER_RUN', message: 'must be greater than 0' });
    expect(problems).toContainEqual({ key: 'RUNLEDGER_PUBLISH_PATTERNS', message: 'must be a JSON array of EventBridge patterns' });
    expect(() => loadConfig(env)).toThrow(/^invalid function configuration: .*RUNLEDGER_RETENTION_DAYS .*RUNLEDGER_STREAM_POLL_MS/);
  });

  it('fills the run limits from the shared defaults', () => {
    const config = loadConfig({});
    expect(config.RUNLEDGER_RETENTION_DAYS).toBe(RUN_DEFAULTS.retentionDays);
    expect(config.RUNLEDGER_MAX_EVENTS_PER_RUN).toBe(RUN_DEFAULTS.maxEventsPerRun);
    expect(config.RUNLEDGER_HEARTBEAT_TIMEOUT_SECONDS).toBe(RUN_DEFAULTS.heartbeatTimeoutSeconds);
    expect(config.RUNLEDGER_MAX_RUN_SECONDS).toBe(RUN_DEFAULTS.maxRunSeconds);
  });

  it('parses the publish patterns and accepts a lowercase log level', () => {
    const config = loadConfig({ RUNLEDGER_PUBLISH_PATTERNS: '[{"detail-type": ["run.failed"]}]', POWERTOOLS_LOG_LEVEL: 'warn' });
    expect(config.RUNLEDGER_PUBLISH_PATTERNS).toEqual([{ 'detail-type': ['run.failed'] }]);
    expect(config.POWERTOOLS_LOG_LEVEL).toBe('WARN');
  });
});

describe('composition root', () => {
  it('names the missing key when a part needs one the configuration lacks', () => {
    // Making a client opens no connection: this stays a unit test.
    const root = compose(loadConfig({}), { dynamoDb: makeDynamoDbClient() });
    expect(() => eventStoreOf(root)).toThrow(ConfigError);
    expect(() => eventStoreOf(root)).toThrow('RUNLEDGER_TABLE_NAME is required (the event store needs it)');
  });

  it('names the missing client when a part needs one compose was not given', () => {
    const root = compose(loadConfig({ RUNLEDGER_EVENT_BUS_NAME: 'bus' }), {});
    expect(() => publisherOf(root)).toThrow(MissingClientError);
    expect(() => publisherOf(root)).toThrow('the relay needs the eventBridge client, which was not passed to compose()');
  });
});
