import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { FileAlertSink } from '#adapters/alerts/file-alert-sink.ts';
import { SnsAlertSink } from '#adapters/alerts/sns-alert-sink.ts';
import { WebhookAlertSink } from '#adapters/alerts/webhook-alert-sink.ts';
import { DynamoDbAlertClaims } from '#adapters/dynamodb/dynamodb-alert-claims.ts';
import type { AlertSink } from '#shared/observers/alerting.ts';
import { part, requireClient, type Root } from '../compose.ts';
import { tableNameOf } from './settings.ts';

/** Alert claims under their own keys; untraced, so the alerting bundle carries no X-Ray SDK. */
export const alertClaimsOf = /* @__PURE__ */ part(
  (root) =>
    new DynamoDbAlertClaims({
      client: DynamoDBDocumentClient.from(requireClient(root, 'dynamoDb', 'the alert claims')),
      tableName: tableNameOf(root, 'the alert claims'),
      retentionDays: root.config.RUNLEDGER_RETENTION_DAYS,
    }),
);

/** Every sink the configuration names: the SNS topic, a webhook (its URL given or in a secret), a file. */
export const alertSinksOf = /* @__PURE__ */ part((root): AlertSink[] => {
  const { config, logger } = root;
  const sinks: AlertSink[] = [];
  if (config.RUNLEDGER_ALERT_TOPIC_ARN !== undefined) {
    sinks.push(new SnsAlertSink({ client: requireClient(root, 'sns', 'the alert topic sink (RUNLEDGER_ALERT_TOPIC_ARN)'), topicArn: config.RUNLEDGER_ALERT_TOPIC_ARN }));
  }
  if (config.RUNLEDGER_ALERTS_FILE !== undefined) sinks.push(new FileAlertSink({ file: config.RUNLEDGER_ALERTS_FILE, print: (line) => logger.warn(line) }));
  const webhookUrl = config.RUNLEDGER_ALERT_WEBHOOK_URL;
  if (webhookUrl !== undefined) sinks.push(new WebhookAlertSink({ url: () => Promise.resolve(webhookUrl) }));
  else if (config.RUNLEDGER_ALERT_WEBHOOK_SECRET_ARN !== undefined) sinks.push(new WebhookAlertSink({ url: webhookUrlFromSecret(root, config.RUNLEDGER_ALERT_WEBHOOK_SECRET_ARN) }));
  return sinks;
});

/** The webhook URL read from Secrets Manager on first use, then kept for the life of the function. */
function webhookUrlFromSecret(root: Root, secretId: string): () => Promise<string> {
  const secrets = requireClient(root, 'secretsManager', 'the alert webhook sink (RUNLEDGER_ALERT_WEBHOOK_SECRET_ARN)');
  let cached: Promise<string> | undefined;
  return () => (cached ??= secrets.send(new GetSecretValueCommand({ SecretId: secretId })).then((secret) => z.url().parse(secret.SecretString)));
}
