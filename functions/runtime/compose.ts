import { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { systemClock, type Clock } from '#shared/ports.ts';
import type { DeliveryQueue } from '#shared/webhooks/delivery-job.ts';
import type { FunctionConfig } from './config.ts';

/**
 * The SDK clients a root may use, made by the caller: a Lambda entry makes the ones its function
 * needs (pointed at AWS), the local stack and tests make theirs (pointed at DynamoDB Local and the
 * local bus). A part that needs a client it was not given fails naming it (requireClient).
 */
export type Clients = {
  readonly dynamoDb?: DynamoDBClient;
  readonly eventBridge?: EventBridgeClient;
  readonly sns?: SNSClient;
  readonly secretsManager?: SecretsManagerClient;
  readonly sqs?: SQSClient;
  /** Webhook deliveries' queue when it is not SQS (the local stack's in-process queue). */
  readonly webhookQueue?: DeliveryQueue;
};

/**
 * The composition root: one parsed config, the clients, one logger and one clock. Everything else
 * (stores, publisher, alert sinks, metrics) is a part built from it on first use and kept for the
 * life of the root (functions/runtime/parts/). Parts are functions of the root rather than fields
 * of it so that a Lambda bundle holds only the parts its function uses: a field would pull every
 * adapter, SDK command module and the X-Ray tracer into every function.
 */
export type Root = {
  readonly config: FunctionConfig;
  readonly clients: Clients;
  readonly logger: Logger;
  readonly clock: Clock;
};

export function compose(config: FunctionConfig, clients: Clients, options: { clock?: Clock } = {}): Root {
  return {
    config,
    clients,
    logger: new Logger({ serviceName: 'runledger', ...(config.POWERTOOLS_LOG_LEVEL === undefined ? {} : { logLevel: config.POWERTOOLS_LOG_LEVEL }) }),
    clock: options.clock ?? systemClock,
  };
}

/** A client was not given to compose, and a part that needs it was asked for. */
export class MissingClientError extends Error {
  override readonly name = 'MissingClientError';
}

export function requireClient<K extends keyof Clients>(root: Root, name: K, neededBy: string): NonNullable<Clients[K]> {
  const client = root.clients[name];
  if (client === undefined) throw new MissingClientError(`${neededBy} needs the ${name} client, which was not passed to compose()`);
  return client;
}

/**
 * A part of the root: built by `build` the first time it is asked for on a root, then the same
 * instance for that root. Two roots (two local stacks in one process) never share one.
 * Declare parts as `export const xOf = /* @__PURE__ *\/ part(...)`: the annotation lets esbuild
 * drop a part no handler of the bundle asks for, with everything only it imports.
 */
export function part<T>(build: (root: Root) => T): (root: Root) => T {
  const built = new WeakMap<Root, { value: T }>();
  return (root) => {
    let box = built.get(root);
    if (box === undefined) {
      box = { value: build(root) };
      built.set(root, box);
    }
    return box.value;
  };
}
