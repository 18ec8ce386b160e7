import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Alert, AlertSink } from '#shared/observers/alerting.ts';

/** Alerts to the SNS alert topic (its email subscription from `alertEmail`). */
export class SnsAlertSink implements AlertSink {
  /** Claims are kept by this name (shared/observers/alerting.ts): keep it stable. */
  readonly name = 'sns';
  readonly #client: SNSClient;
  readonly #topicArn: string;

  constructor(options: { client: SNSClient; topicArn: string }) {
    this.#client = options.client;
    this.#topicArn = options.topicArn;
  }

  async send(alert: Alert): Promise<void> {
    await this.#client.send(
      new PublishCommand({
        TopicArn: this.#topicArn,
        Subject: `[runledger] ${alert.title}`.slice(0, 99),
        Message: JSON.stringify(alert, null, 2),
      }),
    );
  }
}
