import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { z } from 'zod';
import { consumeBusQueue } from '../observer-runtime/sqs-batch.ts';
import { invokeObserver } from './invoke-observer.ts';

const config = z
  .object({
    /** The subscribed function (name or ARN, any account or stack the role may invoke). */
    RUNLEDGER_OBSERVER_FUNCTION: z.string().min(1),
    AWS_REGION: z.string().min(1).default('us-east-1'),
  })
  .parse(process.env);
const client = new LambdaClient({ region: config.AWS_REGION });

/**
 * Between a required observer of your own and its delivery queue: hands each queued EventBridge
 * event, unchanged, to your function with a synchronous invoke, so a throw in your code is a
 * failed message (retried for a day, then dead-lettered) instead of an event Lambda drops.
 */
export const handler = consumeBusQueue((event) => invokeObserver((payload) => client.send(new InvokeCommand({ FunctionName: config.RUNLEDGER_OBSERVER_FUNCTION, InvocationType: 'RequestResponse', Payload: payload })), event));
