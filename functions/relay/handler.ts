import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { endpointOverride } from '#adapters/aws/endpoint.ts';
import { lambdaRoot } from '../runtime/lambda-root.ts';
import { makeRelayHandler } from './relay.ts';

/**
 * The Lambda entry CDK bundles: EventBridge to publish, SQS to keep what could not be published
 * (the relay reads the stream, not the table).
 */
export const handler = makeRelayHandler(
  lambdaRoot((config) => ({
    eventBridge: new EventBridgeClient({ region: config.AWS_REGION, ...endpointOverride(config.RUNLEDGER_EVENTBRIDGE_ENDPOINT) }),
    sqs: new SQSClient({ region: config.AWS_REGION }),
  })),
);
