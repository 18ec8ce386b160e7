import { describe, expect, it } from 'vitest';
import { AlertDeliveryError, makeAlertingObserver } from '#shared/observers/alerting.ts';
import { flakySink, memoryClaims, runFailedEvent } from '#test/support/alerts.ts';

describe('alerting observer, per sink', () => {
  it('sends one alert per sink when one sink fails three times then recovers, across five deliveries', async () => {
    // Given an email sink that works and a webhook that fails its first three sends
    const email = flakySink('sns');
    const webhook = flakySink('webhook', 3);
    const observe = makeAlertingObserver({ claims: memoryClaims(), sinks: [email, webhook] });
    const event = runFailedEvent();

    // When the same event is delivered five times (each failure makes the queue deliver it again)
    const outcomes = [];
    for (let delivery = 0; delivery < 5; delivery++) outcomes.push(await observe(event).then(() => 'ok', (error: unknown) => error));

    // Then each sink got exactly one alert, and only the failing sink was tried again
    expect(email.sent).toHaveLength(1);
    expect(email.attempts).toBe(1);
    expect(webhook.sent).toHaveLength(1);
    expect(webhook.attempts).toBe(4);
    expect(outcomes.slice(0, 3).every((outcome) => outcome instanceof AlertDeliveryError && outcome.failedSinks.join() === 'webhook')).toBe(true);
    expect(outcomes.slice(3)).toEqual(['ok', 'ok']);
  });

  it('tries every sink before it throws, naming the ones that failed', async () => {
    const first = flakySink('webhook', 1);
    const second = flakySink('sns');
    const observe = makeAlertingObserver({ claims: memoryClaims(), sinks: [first, second] });

    await expect(observe(runFailedEvent())).rejects.toThrow(/could not be sent to webhook$/);

    expect(second.sent).toHaveLength(1);
  });

  it('keeps the claims of the sinks that succeeded and gives back only the failed one', async () => {
    const claims = memoryClaims();
    const observe = makeAlertingObserver({ claims, sinks: [flakySink('sns'), flakySink('webhook', 1)] });

    await expect(observe(runFailedEvent())).rejects.toBeInstanceOf(AlertDeliveryError);

    expect([...claims.held]).toEqual(['acme/r/run.failed/sns']);
  });

  it('claims per run: another run with the same kind alerts again', async () => {
    const sink = flakySink('sns');
    const observe = makeAlertingObserver({ claims: memoryClaims(), sinks: [sink] });

    await observe(runFailedEvent('r-1'));
    await observe(runFailedEvent('r-2'));

    expect(sink.sent.map((alert) => alert.runId)).toEqual(['r-1', 'r-2']);
  });

  it('refuses two sinks with the same name, which would share one claim', () => {
    expect(() => makeAlertingObserver({ claims: memoryClaims(), sinks: [flakySink('sns'), flakySink('sns')] })).toThrow(/distinct names/);
  });
});
