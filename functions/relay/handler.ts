import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { endpointOverride } from '#adapters/aws/endpoint.ts';
import { lambdaRoot } from '../runtime/lambda-root.ts';
import { makeRelayHandler } from './relay.ts';

/** The Lambda entry CDK bundles: EventBridge is the relay's only client (it reads the stream, not the table). */
export const handler = makeRelayHandler(
  lambdaRoot((config) => ({ eventBridge: new EventBridgeClient({ region: config.AWS_REGION, ...endpointOverride(config.RUNLEDGER_EVENTBRIDGE_ENDPOINT) }) })),
);
