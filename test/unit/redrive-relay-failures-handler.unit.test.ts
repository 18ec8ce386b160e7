import { describe, expect, it } from 'vitest';
import { compress } from '#adapters/dynamodb/item-codec.ts';
import { eventSk, runPk } from '#adapters/dynamodb/keys.ts';
import { makeRedriveRelayFailuresHandler } from '#functions/redrive-relay-failures/redrive-relay-failures.ts';
import { compose } from '#functions/runtime/compose.ts';
import { ConfigError, loadConfig } from '#functions/runtime/config.ts';
import type { StoredEvent } from '#shared/contract/event.ts';
import { REDRIVE_TIME_RESERVE_MS } from '#shared/defaults.ts';
import type { FailedPublish } from '#shared/ports.ts';
import { answeringDynamoDb, answeringEventBridge, answeringSqs } from '#test/support/sdk-answers.ts';

const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/relay-failures';
const stored: StoredEvent = { eventId: 'e1', runId: 'r-1', type: 'run.failed', occurredAt: '2026-11-23T10:00:00Z', seq: 1, receivedAt: '2026-11-23T10:00:01.000Z', payload: { error: { message: 'boom' } } };
const kept: FailedPublish = { tenant: 'acme', runId: 'r-1', seqs: [1], types: ['run.failed'], reason: 'PutEvents failed: 503', failedAt: '2026-11-23T10:00:05.000Z' };

/**
 * The scheduled function as its Lambda entry composes it (config from the environment it gets from
 * CDK), with its three real SDK clients answered in process: one kept failure in the queue, its
 * event in the table, and a bus that accepts or refuses.
 */
function scheduledRedrive(options: { busRefuses?: boolean } = {}) {
  let received = false;
  const sqs = answeringSqs((command) => {
    if (command === 'GetQueueAttributesCommand') return { $metadata: {}, Attributes: { ApproximateNumberOfMessages: '1' } };
    if (command === 'ReceiveMessageCommand') {
      const first = !received;
      received = true;
      return { $metadata: {}, Messages: first ? [{ ReceiptHandle: 'rh-1', Body: JSON.stringify(kept) }] : [] };
    }
    return { $metadata: {} };
  });
  const dynamoDb = answeringDynamoDb(() => ({
    Items: [{ pk: runPk('acme', 'r-1'), sk: eventSk(1), seq: 1, body: compress(stored) }],
  }));
  const eventBridge = answeringEventBridge(() => ({
    $metadata: {},
    FailedEntryCount: options.busRefuses === true ? 1 : 0,
    Entries: [options.busRefuses === true ? { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' } : { EventId: 'ev-1' }],
  }));
  const config = loadConfig({
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    RUNLEDGER_TABLE_NAME: 'events',
    RUNLEDGER_EVENT_BUS_NAME: 'runledger-prod',
    RUNLEDGER_RELAY_FAILURES_QUEUE_URL: QUEUE_URL,
  });
  const handler = makeRedriveRelayFailuresHandler(compose(config, { sqs, dynamoDb, eventBridge }));
  return { handler, sqs, dynamoDb, eventBridge };
}

const schedule = { time: '2026-11-23T10:05:00Z' };
const plentyOfTime = { getRemainingTimeInMillis: () => 110_000 };

describe('the scheduled relay failures redrive', () => {
  it('publishes a kept failure’s events as stored to the configured bus, then deletes its message', async () => {
    const { handler, sqs, dynamoDb, eventBridge } = scheduledRedrive();

    const result = await handler(schedule, plentyOfTime);

    expect(result).toEqual({ redriven: 1, failed: 0, missingSeqs: 0, outOfTime: false });
    expect(dynamoDb.asked[0]).toMatchObject({ command: 'QueryCommand', input: { TableName: 'events', ExpressionAttributeValues: { ':pk': runPk('acme', 'r-1') } } });
    const [put] = eventBridge.asked;
    expect(put).toMatchObject({ command: 'PutEventsCommand', input: { Entries: [{ EventBusName: 'runledger-prod', Source: 'runledger', DetailType: 'run.failed' }] } });
    const entry = (put?.input as { Entries: Array<{ Detail: string }> }).Entries[0];
    expect(JSON.parse(entry?.Detail ?? '{}')).toEqual({ ...stored, tenant: 'acme' });
    expect(sqs.asked).toContainEqual({ command: 'DeleteMessageCommand', input: { QueueUrl: QUEUE_URL, ReceiptHandle: 'rh-1' } });
  });

  it('keeps a failure the bus still refuses, made visible again for the next pass', async () => {
    const { handler, sqs } = scheduledRedrive({ busRefuses: true });

    const result = await handler(schedule, plentyOfTime);

    expect(result).toMatchObject({ redriven: 0, failed: 1 });
    expect(sqs.asked.map((asked) => asked.command)).not.toContain('DeleteMessageCommand');
    expect(sqs.asked).toContainEqual({ command: 'ChangeMessageVisibilityCommand', input: { QueueUrl: QUEUE_URL, ReceiptHandle: 'rh-1', VisibilityTimeout: 0 } });
  });

  it('starts no failure with less than its reserve of the invocation left, and gives back what it took', async () => {
    const { handler, sqs, eventBridge } = scheduledRedrive();

    const result = await handler(schedule, { getRemainingTimeInMillis: () => REDRIVE_TIME_RESERVE_MS - 1 });

    expect(result).toMatchObject({ redriven: 0, failed: 0, outOfTime: true });
    expect(eventBridge.asked).toEqual([]);
    expect(sqs.asked.map((asked) => asked.command)).toContain('ChangeMessageVisibilityCommand');
  });

  it('fails at cold start, naming the key, when there is no failures queue to read', () => {
    const config = loadConfig({ POWERTOOLS_LOG_LEVEL: 'SILENT', RUNLEDGER_TABLE_NAME: 'events', RUNLEDGER_EVENT_BUS_NAME: 'runledger-prod' });
    expect(() => makeRedriveRelayFailuresHandler(compose(config, {}))).toThrow(ConfigError);
    expect(() => makeRedriveRelayFailuresHandler(compose(config, {}))).toThrow(/RUNLEDGER_RELAY_FAILURES_QUEUE_URL/);
  });
});
