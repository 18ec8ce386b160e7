import { CloudFormationClient, type ServiceOutputTypes as CloudFormationOutput } from '@aws-sdk/client-cloudformation';
import { SQSClient, type ServiceOutputTypes as SqsOutput } from '@aws-sdk/client-sqs';

export type Asked = Array<{ command: string; input: unknown }>;
const credentials = { accessKeyId: 'x', secretAccessKey: 'x' };

/**
 * A real SQS client whose requests are answered in process (a middleware ahead of serialization),
 * by command name; `asked` records every command with its input.
 */
export function answeringSqs(answer: (command: string, input: unknown) => SqsOutput): SQSClient & { asked: Asked } {
  const client = new SQSClient({ region: 'us-east-1', credentials });
  const asked: Asked = [];
  client.middlewareStack.add(
    (_next, context) => (args) => {
      const command = context.commandName ?? 'unknown';
      asked.push({ command, input: args.input });
      return Promise.resolve({ output: answer(command, args.input), response: {} });
    },
    { step: 'initialize', name: 'answering' },
  );
  return Object.assign(client, { asked });
}

/** The same for CloudFormation. */
export function answeringCloudFormation(answer: (command: string, input: unknown) => CloudFormationOutput): CloudFormationClient {
  const client = new CloudFormationClient({ region: 'us-east-1', credentials });
  client.middlewareStack.add((_next, context) => () => Promise.resolve({ output: answer(context.commandName ?? 'unknown', undefined), response: {} }), { step: 'initialize', name: 'answering' });
  return client;
}
