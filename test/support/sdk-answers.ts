import { APIGatewayClient, type ServiceOutputTypes as ApiGatewayOutput } from '@aws-sdk/client-api-gateway';
import { CloudFormationClient, type ServiceOutputTypes as CloudFormationOutput } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient, type ServiceOutputTypes as DynamoDbOutput } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, type ServiceOutputTypes as EventBridgeOutput } from '@aws-sdk/client-eventbridge';
import { SQSClient, type ServiceOutputTypes as SqsOutput } from '@aws-sdk/client-sqs';

export type Asked = Array<{ command: string; input: unknown }>;
const credentials = { accessKeyId: 'x', secretAccessKey: 'x' };

/** A middleware answering every command in process, by name, recording each with its input in `asked`. */
function answering<O>(asked: Asked, answer: (command: string, input: unknown) => O) {
  return (_next: unknown, context: { commandName?: string }) => (args: { input: unknown }) => {
    const command = context.commandName ?? 'unknown';
    asked.push({ command, input: args.input });
    return Promise.resolve({ output: answer(command, args.input), response: {} });
  };
}

/**
 * A real SQS client whose requests are answered in process (a middleware ahead of serialization),
 * by command name; `asked` records every command with its input.
 */
export function answeringSqs(answer: (command: string, input: unknown) => SqsOutput): SQSClient & { asked: Asked } {
  const client = new SQSClient({ region: 'us-east-1', credentials });
  const asked: Asked = [];
  client.middlewareStack.add(answering(asked, answer), { step: 'initialize', name: 'answering' });
  return Object.assign(client, { asked });
}

/** The same for CloudFormation. */
export function answeringCloudFormation(answer: (command: string, input: unknown) => CloudFormationOutput): CloudFormationClient {
  const client = new CloudFormationClient({ region: 'us-east-1', credentials });
  client.middlewareStack.add((_next, context) => () => Promise.resolve({ output: answer(context.commandName ?? 'unknown', undefined), response: {} }), { step: 'initialize', name: 'answering' });
  return client;
}

/** The same for API Gateway. */
export function answeringApiGateway(answer: (command: string, input: unknown) => ApiGatewayOutput): APIGatewayClient & { asked: Asked } {
  const client = new APIGatewayClient({ region: 'us-east-1', credentials });
  const asked: Asked = [];
  client.middlewareStack.add(answering(asked, answer), { step: 'initialize', name: 'answering' });
  return Object.assign(client, { asked });
}

/** The same for EventBridge. */
export function answeringEventBridge(answer: (command: string, input: unknown) => EventBridgeOutput): EventBridgeClient & { asked: Asked } {
  const client = new EventBridgeClient({ region: 'us-east-1', credentials });
  const asked: Asked = [];
  client.middlewareStack.add(answering(asked, answer), { step: 'initialize', name: 'answering' });
  return Object.assign(client, { asked });
}

/**
 * The same for DynamoDB behind the document client: answered before its marshalling, so `answer`
 * gets and gives plain values (`{ ':pk': 'T#...' }`, items as the document client hands them out).
 */
export function answeringDynamoDb(answer: (command: string, input: unknown) => { Items?: Array<Record<string, unknown>> }): DynamoDBClient & { asked: Asked } {
  const client = new DynamoDBClient({ region: 'us-east-1', credentials });
  const asked: Asked = [];
  // Typed by the raw client's wire shapes, which the document client turns these plain values into and back.
  const plain = (command: string, input: unknown) => ({ $metadata: {}, ...answer(command, input) }) as DynamoDbOutput;
  client.middlewareStack.add(answering(asked, plain), { step: 'initialize', name: 'answering' });
  return Object.assign(client, { asked });
}
