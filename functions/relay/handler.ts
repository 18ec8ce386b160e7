import { Logger } from '@aws-lambda-powertools/logger';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { z } from 'zod';
import { eventsFromStream } from '#adapters/dynamodb/stream-records.ts';
import { EventBridgePublisher } from '#adapters/eventbridge/eventbridge-publisher.ts';
import { FileFailedPublishStore } from '#adapters/file/file-failed-publish-store.ts';
import { SqsFailedPublishStore } from '#adapters/sqs/sqs-failed-publish-store.ts';
import { makePublishFilter } from '#shared/bus/publish-filter.ts';
import { makeRelay } from '#shared/relay/make-relay.ts';

const ConfigSchema = z.object({
  RUNLEDGER_EVENT_BUS_NAME: z.string().min(1),
  /** JSON array of every subscription's EventBridge pattern, set by CDK (and the local stack) from the subscriptions. */
  RUNLEDGER_PUBLISH_PATTERNS: z.string().transform((text, context) => {
    try {
      return z.array(z.record(z.string(), z.unknown())).parse(JSON.parse(text));
    } catch {
      context.addIssue({ code: 'custom', message: 'must be a JSON array of EventBridge patterns' });
      return z.NEVER;
    }
  }),
  /** Set locally (the local bus); unset in AWS. */
  RUNLEDGER_EVENTBRIDGE_ENDPOINT: z.url().optional(),
  /** AWS: where what could not be published is kept for `npm run dlq -- redrive --aws`. */
  RUNLEDGER_RELAY_FAILURES_QUEUE_URL: z.url().optional(),
  /** Local: the same, one JSON file per failure under this directory. */
  RUNLEDGER_RELAY_FAILURES_DIR: z.string().min(1).optional(),
  AWS_REGION: z.string().min(1).default('us-east-1'),
});

const config = ConfigSchema.parse(process.env);
const logger = new Logger({ serviceName: 'runledger-relay' });
const client = new EventBridgeClient({
  region: config.AWS_REGION,
  ...(config.RUNLEDGER_EVENTBRIDGE_ENDPOINT === undefined
    ? {}
    : { endpoint: config.RUNLEDGER_EVENTBRIDGE_ENDPOINT, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
});
const failuresQueue = config.RUNLEDGER_RELAY_FAILURES_QUEUE_URL;
const failuresDir = config.RUNLEDGER_RELAY_FAILURES_DIR;
// Without either, failures go back to the stream (retried, then its on-failure queue).
const failures =
  failuresQueue !== undefined
    ? new SqsFailedPublishStore({ client: new SQSClient({ region: config.AWS_REGION }), queueUrl: failuresQueue })
    : failuresDir !== undefined
      ? new FileFailedPublishStore({ dir: failuresDir })
      : undefined;
const relay = makeRelay({
  publisher: new EventBridgePublisher({ client, busName: config.RUNLEDGER_EVENT_BUS_NAME }),
  shouldPublish: makePublishFilter(config.RUNLEDGER_PUBLISH_PATTERNS),
  onCallFailed: (error) => logger.warn('PutEvents call failed; retrying its entries', { error }),
  ...(failures === undefined ? {} : { failures }),
  onRecordFailed: (error) => logger.error('could not keep the events not published; the stream will retry them', { error }),
});

/**
 * Fed by the events table's stream: publishes new events to the bus and reports the records it
 * could not publish, so the stream delivers them again (ReportBatchItemFailures).
 */
export async function handler(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const result = await relay(eventsFromStream(event.Records));
  if (result.batchItemFailures.length > 0) logger.error('events not published; the stream will retry them', { count: result.batchItemFailures.length });
  return result;
}
