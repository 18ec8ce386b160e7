/**
 * `npm run dlq -- list --aws --stack NAME` | `npm run dlq -- redrive --aws --stack NAME [--observer NAME]`
 *
 * Dead letters of a deployed stack. Observers: each required observer's SQS dead-letter queue is
 * moved back to its delivery queue with SQS's own message move task (SQS sends each message to
 * the destination, then deletes it from the source). Relay: what the relay could not publish is
 * read back from the table by seq and published again; each failure is deleted only after that.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { GetQueueAttributesCommand, ListMessageMoveTasksCommand, SQSClient, StartMessageMoveTaskCommand } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { DynamoDbEventStore } from '#adapters/dynamodb/dynamodb-event-store.ts';
import { EventBridgePublisher } from '#adapters/eventbridge/eventbridge-publisher.ts';
import { SqsFailedPublishStore } from '#adapters/sqs/sqs-failed-publish-store.ts';
import { systemClock } from '#shared/ports.ts';
import { makeRedriveRelayFailures } from '#shared/relay/redrive-relay-failures.ts';
import { readOutputs } from './stack-outputs.ts';

export const AWS_USAGE = 'usage: npm run dlq -- list --aws --stack NAME [--region R] | redrive --aws --stack NAME [--observer NAME] [--region R]';

const ObserverQueueSchema = z.object({ name: z.string(), deadLettersUrl: z.string(), deadLettersArn: z.string(), deliveryQueueArn: z.string().optional() });
export type ObserverQueue = z.infer<typeof ObserverQueueSchema>;

/** The stack's outputs the command needs (infra/runledger-stack.ts). */
export const StackOutputsSchema = z.object({
  ObserverQueues: z.string().transform((text) => z.array(ObserverQueueSchema).parse(JSON.parse(text))),
  RelayFailuresQueueUrl: z.string(),
  RelayStreamFailuresQueueUrl: z.string(),
  TableName: z.string(),
  BusName: z.string(),
});
export type StackOutputs = z.infer<typeof StackOutputsSchema>;

/** The SQS task moving a dead-letter queue back could not finish. */
export class MessageMoveFailedError extends Error {
  override readonly name = 'MessageMoveFailedError';
}

export async function readStackOutputs(cloudFormation: CloudFormationClient, stackName: string): Promise<StackOutputs> {
  return readOutputs(cloudFormation, stackName, StackOutputsSchema);
}

async function depth(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes: attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
  return Number(attributes?.ApproximateNumberOfMessages ?? 0);
}

/**
 * Moves one observer's dead letters back to its delivery queue and waits for the move to end,
 * printing `moved n of m` as SQS reports it.
 */
export async function moveDeadLetters(sqs: SQSClient, queue: ObserverQueue & { deliveryQueueArn: string }, print: (line: string) => void, pollMs = 2000): Promise<number> {
  const { TaskHandle: handle } = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: queue.deadLettersArn, DestinationArn: queue.deliveryQueueArn }));
  for (;;) {
    const { Results: results = [] } = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: queue.deadLettersArn, MaxResults: 10 }));
    const task = results.find((candidate) => candidate.TaskHandle === handle) ?? results[0];
    const moved = task?.ApproximateNumberOfMessagesMoved ?? 0;
    print(`${queue.name}: moved ${moved} of ${task?.ApproximateNumberOfMessagesToMove ?? '?'}`);
    if (task?.Status === 'COMPLETED') return moved;
    if (task?.Status === 'FAILED' || task?.Status === 'CANCELLED') throw new MessageMoveFailedError(`${queue.name}: the move task ${task.Status.toLowerCase()}: ${task.FailureReason ?? 'no reason given'}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

export async function runDlqAws(argv: string[], print: (line: string) => void): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { aws: { type: 'boolean' }, stack: { type: 'string' }, observer: { type: 'string' }, region: { type: 'string' } },
  });
  if (values.stack === undefined) {
    print(AWS_USAGE);
    throw new Error('--stack is required with --aws');
  }
  const region = values.region === undefined ? {} : { region: values.region };
  const sqs = new SQSClient(region);
  const outputs = await readStackOutputs(new CloudFormationClient(region), values.stack);
  const observers = outputs.ObserverQueues.filter((queue) => values.observer === undefined || queue.name === values.observer);
  if (values.observer !== undefined && observers.length === 0) throw new Error(`no required observer '${values.observer}' in ${values.stack}: ${outputs.ObserverQueues.map((queue) => queue.name).join(', ')}`);
  switch (positionals[0]) {
    case 'list': {
      for (const queue of observers) print(`${queue.name.padEnd(16)} ${await depth(sqs, queue.deadLettersUrl)} dead letters`);
      print(`${'relay'.padEnd(16)} ${await depth(sqs, outputs.RelayFailuresQueueUrl)} failures to publish`);
      print(`${'relay (stream)'.padEnd(16)} ${await depth(sqs, outputs.RelayStreamFailuresQueueUrl)} batches given up on (metadata only)`);
      return;
    }
    case 'redrive': {
      for (const queue of observers) {
        const waiting = await depth(sqs, queue.deadLettersUrl);
        if (waiting === 0) print(`${queue.name}: no dead letters`);
        else if (queue.deliveryQueueArn === undefined) print(`${queue.name}: ${waiting} dead letters kept: its target is not a queue (the archive's Firehose); read them with the SQS console or CLI`);
        else await moveDeadLetters(sqs, { ...queue, deliveryQueueArn: queue.deliveryQueueArn }, print);
      }
      if (values.observer !== undefined) return;
      const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient(region), { marshallOptions: { removeUndefinedValues: true } });
      const redrive = makeRedriveRelayFailures({
        failures: new SqsFailedPublishStore({ client: sqs, queueUrl: outputs.RelayFailuresQueueUrl }),
        store: new DynamoDbEventStore({ client: documentClient, tableName: outputs.TableName, clock: systemClock, limits: { maxEventsPerRun: 1_000_000_000, retentionDays: 30 } }),
        publisher: new EventBridgePublisher({ client: new EventBridgeClient(region), busName: outputs.BusName }),
        onProgress: (done, total, failure, outcome) => print(`relay: ${done} of ${total} (${failure.tenant}/${failure.runId} seqs ${failure.seqs[0]}-${failure.seqs.at(-1)}: ${outcome})`),
      });
      const result = await redrive();
      print(`relay: republished ${result.redriven}, still failing ${result.failed}${result.missingSeqs > 0 ? `, ${result.missingSeqs} seqs no longer in the table` : ''}`);
      const stream = await depth(sqs, outputs.RelayStreamFailuresQueueUrl);
      if (stream > 0) print(`relay (stream): ${stream} batches given up on; each message names the shard and sequence numbers (readable with GetRecords for 24 h)`);
      return;
    }
    default:
      print(AWS_USAGE);
  }
}
