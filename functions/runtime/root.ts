import { Logger } from '@aws-lambda-powertools/logger';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbApiKeyStore } from '#adapters/dynamodb/dynamodb-api-key-store.ts';
import { DynamoDbEventStore } from '#adapters/dynamodb/dynamodb-event-store.ts';
import { systemClock } from '#shared/ports.ts';
import { loadConfig } from './config.ts';

/**
 * The composition root of the functions: config parsed once, SDK clients and adapters built once
 * per cold start. In Lambda the endpoint is AWS; locally RUNLEDGER_DYNAMODB_ENDPOINT points at
 * DynamoDB Local. Nothing else differs.
 */
function compose() {
  const config = loadConfig();
  const local = config.RUNLEDGER_DYNAMODB_ENDPOINT !== undefined;
  // X-Ray: a subsegment per DynamoDB call in AWS; the tracer turns itself off outside Lambda.
  const tracer = new Tracer({ serviceName: 'runledger' });
  const client = tracer.captureAWSv3Client(new DynamoDBClient({
    region: config.AWS_REGION,
    ...(local ? { endpoint: config.RUNLEDGER_DYNAMODB_ENDPOINT, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  }));
  const documentClient = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const stalePolicy = { heartbeatTimeoutSeconds: config.RUNLEDGER_HEARTBEAT_TIMEOUT_SECONDS, maxDurationSeconds: config.RUNLEDGER_MAX_RUN_SECONDS };
  const limits = { maxEventsPerRun: config.RUNLEDGER_MAX_EVENTS_PER_RUN, retentionDays: config.RUNLEDGER_RETENTION_DAYS, stalePolicy };
  return {
    config,
    stalePolicy,
    logger: new Logger({ serviceName: 'runledger' }),
    tracer,
    clock: systemClock,
    eventStore: new DynamoDbEventStore({ client: documentClient, tableName: config.RUNLEDGER_TABLE_NAME, clock: systemClock, limits }),
    apiKeyStore: new DynamoDbApiKeyStore({ client: documentClient, tableName: config.RUNLEDGER_TABLE_NAME }),
  };
}

export type Root = ReturnType<typeof compose>;

let root: Root | undefined;

/** Built on first use (module scope of a handler), then reused for the life of the process. */
export function getRoot(): Root {
  root ??= compose();
  return root;
}
