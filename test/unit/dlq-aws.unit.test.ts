import type { ServiceOutputTypes as SqsOutputTypes } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { MessageMoveFailedError, moveDeadLetters, readStackOutputs } from '#cli/dlq-aws.ts';
import { answeringCloudFormation, answeringSqs } from '#test/support/sdk-answers.ts';

const queue = { name: 'alerting', deadLettersUrl: 'https://sqs/dlq', deadLettersArn: 'arn:dlq', deliveryQueueArn: 'arn:deliveries' };

describe('npm run dlq -- redrive --aws', () => {
  it('moves an observer’s dead letters back to its delivery queue, printing n of m until SQS says done', async () => {
    const reports = [
      { Status: 'RUNNING', ApproximateNumberOfMessagesMoved: 1, ApproximateNumberOfMessagesToMove: 3 },
      { Status: 'COMPLETED', ApproximateNumberOfMessagesMoved: 3, ApproximateNumberOfMessagesToMove: 3 },
    ];
    const sqs = answeringSqs((command): SqsOutputTypes => {
      if (command === 'StartMessageMoveTaskCommand') return { $metadata: {}, TaskHandle: 'task-1' };
      return { $metadata: {}, Results: [{ TaskHandle: 'task-1', ...reports.shift() }] };
    });
    const lines: string[] = [];
    const moved = await moveDeadLetters(sqs, queue, (line) => lines.push(line), 0);
    expect(sqs.asked[0]).toEqual({ command: 'StartMessageMoveTaskCommand', input: { SourceArn: 'arn:dlq', DestinationArn: 'arn:deliveries' } });
    expect(lines).toEqual(['alerting: moved 1 of 3', 'alerting: moved 3 of 3']);
    expect(moved).toBe(3);
  });

  it('fails naming the reason when SQS gives the move up', async () => {
    const sqs = answeringSqs((command): SqsOutputTypes =>
      command === 'StartMessageMoveTaskCommand' ? { $metadata: {}, TaskHandle: 't' } : { $metadata: {}, Results: [{ TaskHandle: 't', Status: 'FAILED', FailureReason: 'AccessDenied' }] },
    );
    await expect(moveDeadLetters(sqs, queue, () => undefined, 0)).rejects.toThrow(MessageMoveFailedError);
  });

  it('reads the queues, table and bus from the stack outputs, and names the missing ones', async () => {
    const outputs = [
      { OutputKey: 'ObserverQueues', OutputValue: JSON.stringify([queue]) },
      { OutputKey: 'RelayFailuresQueueUrl', OutputValue: 'https://sqs/relay' },
      { OutputKey: 'RelayStreamFailuresQueueUrl', OutputValue: 'https://sqs/stream' },
      { OutputKey: 'TableName', OutputValue: 'events' },
      { OutputKey: 'BusName', OutputValue: 'runledger-prod' },
    ];
    const cfn = (given: typeof outputs) => answeringCloudFormation(() => ({ $metadata: {}, Stacks: [{ StackName: 's', CreationTime: new Date(), StackStatus: 'CREATE_COMPLETE', Outputs: given }] }));
    expect(await readStackOutputs(cfn(outputs), 'RunLedger-prod')).toMatchObject({ ObserverQueues: [queue], RelayFailuresQueueUrl: 'https://sqs/relay', TableName: 'events' });
    await expect(readStackOutputs(cfn(outputs.slice(1)), 'RunLedger-prod')).rejects.toThrow(/lacks the outputs.*ObserverQueues/);
  });
});
