import type { Alert, AlertSink } from '#shared/observers/alerting.ts';

/** A Slack-compatible incoming webhook: `{"text": ...}`. The URL is a secret: never logged. */
export class WebhookAlertSink implements AlertSink {
  /** Claims are kept by this name (shared/observers/alerting.ts): keep it stable. */
  readonly name = 'webhook';
  readonly #url: () => Promise<string>;
  readonly #fetch: typeof fetch;

  constructor(options: { url: () => Promise<string>; fetch?: typeof fetch }) {
    this.#url = options.url;
    this.#fetch = options.fetch ?? fetch;
  }

  async send(alert: Alert): Promise<void> {
    const response = await this.#fetch(await this.#url(), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: `:rotating_light: ${alert.title}: ${alert.message} (tenant ${alert.tenant}, seq ${alert.seq})` }),
      signal: AbortSignal.timeout(5_000),
    });
    if (!response.ok) throw new Error(`the alert webhook answered ${response.status}`);
  }
}
