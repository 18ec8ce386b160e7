import { Logger } from '@aws-lambda-powertools/logger';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { FileAlertSink } from '#adapters/alerts/file-alert-sink.ts';
import { SnsAlertSink } from '#adapters/alerts/sns-alert-sink.ts';
import { WebhookAlertSink } from '#adapters/alerts/webhook-alert-sink.ts';
import { DynamoDbAlertClaims } from '#adapters/dynamodb/dynamodb-alert-claims.ts';
import { consumeBusQueue } from '#functions/observer-runtime/sqs-batch.ts';
import { parseBusEvent } from '#shared/bus/published-event.ts';
import { makeAlertingObserver, type AlertSink } from '#shared/observers/alerting.ts';

const ConfigSchema = z.object({
  RUNLEDGER_TABLE_NAME: z.string().min(1),
  RUNLEDGER_DYNAMODB_ENDPOINT: z.url().optional(),
  RUNLEDGER_RETENTION_DAYS: z.coerce.number().int().positive().default(30),
  /** AWS: the alert topic. */
  RUNLEDGER_ALERT_TOPIC_ARN: z.string().min(1).optional(),
  /** AWS: a Secrets Manager secret holding the webhook URL. */
  RUNLEDGER_ALERT_WEBHOOK_SECRET_ARN: z.string().min(1).optional(),
  /** Local: the webhook URL itself, and the alerts file. */
  RUNLEDGER_ALERT_WEBHOOK_URL: z.url().optional(),
  RUNLEDGER_ALERTS_FILE: z.string().min(1).optional(),
  AWS_REGION: z.string().min(1).default('us-east-1'),
});

const config = ConfigSchema.parse(process.env);
const logger = new Logger({ serviceName: 'runledger-alerting' });
const local = config.RUNLEDGER_DYNAMODB_ENDPOINT === undefined ? {} : { endpoint: config.RUNLEDGER_DYNAMODB_ENDPOINT, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({ region: config.AWS_REGION, ...local }));

const sinks: AlertSink[] = [];
if (config.RUNLEDGER_ALERT_TOPIC_ARN !== undefined) sinks.push(new SnsAlertSink({ client: new SNSClient({ region: config.AWS_REGION }), topicArn: config.RUNLEDGER_ALERT_TOPIC_ARN }));
if (config.RUNLEDGER_ALERTS_FILE !== undefined) sinks.push(new FileAlertSink({ file: config.RUNLEDGER_ALERTS_FILE, print: (line) => logger.warn(line) }));
const webhookUrl = config.RUNLEDGER_ALERT_WEBHOOK_URL;
const webhookSecret = config.RUNLEDGER_ALERT_WEBHOOK_SECRET_ARN;
if (webhookUrl !== undefined) sinks.push(new WebhookAlertSink({ url: () => Promise.resolve(webhookUrl) }));
else if (webhookSecret !== undefined) {
  const secrets = new SecretsManagerClient({ region: config.AWS_REGION });
  let cached: Promise<string> | undefined;
  const url = () =>
    (cached ??= secrets.send(new GetSecretValueCommand({ SecretId: webhookSecret })).then((secret) => z.url().parse(secret.SecretString)));
  sinks.push(new WebhookAlertSink({ url }));
}

const observe = makeAlertingObserver({
  claims: new DynamoDbAlertClaims({ client: documentClient, tableName: config.RUNLEDGER_TABLE_NAME, retentionDays: config.RUNLEDGER_RETENTION_DAYS }),
  sinks,
});

/** EventBridge target: alerts once per (run, kind); a throw makes EventBridge retry, then dead-letter. */
export async function handler(event: unknown): Promise<void> {
  const alert = await observe(parseBusEvent(event));
  if (alert !== undefined) logger.info('alert sent', { kind: alert.kind, runId: alert.runId, tenant: alert.tenant });
}

/** Lambda's entry when the observer is required: fed by its delivery queue (infra/constructs/observer-rules.ts). */
export const sqsHandler = consumeBusQueue(handler);
