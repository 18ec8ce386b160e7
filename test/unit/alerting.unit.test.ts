import { describe, expect, it } from 'vitest';
import { MemoryAlertClaims } from '#adapters/memory/memory-alert-claims.ts';
import { AlertDeliveryError, makeAlertingObserver, type Alert, type AlertSink } from '#shared/observers/alerting.ts';
import { flakySink, runFailedEvent } from '#test/support/alerts.ts';
import { fakeClock } from '#test/support/clock.ts';

const memoryClaims = () => new MemoryAlertClaims();
const clock = fakeClock();

describe('alerting observer, per sink', () => {
  it('sends one alert per sink when one sink fails three times then recovers, across five deliveries', async () => {
    // Given an email sink that works and a webhook that fails its first three sends
    const email = flakySink('sns');
    const webhook = flakySink('webhook', 3);
    const observe = makeAlertingObserver({ claims: memoryClaims(), sinks: [email, webhook], clock });
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
    const observe = makeAlertingObserver({ claims: memoryClaims(), sinks: [first, second], clock });

    await expect(observe(runFailedEvent())).rejects.toThrow(/could not be sent to webhook$/);

    expect(second.sent).toHaveLength(1);
  });

  it('keeps the claims of the sinks that succeeded and gives back only the failed one', async () => {
    const claims = memoryClaims();
    const observe = makeAlertingObserver({ claims, sinks: [flakySink('sns'), flakySink('webhook', 1)], clock });

    await expect(observe(runFailedEvent())).rejects.toBeInstanceOf(AlertDeliveryError);

    expect([...claims.claims]).toEqual([['acme/r/run.failed/sns', { state: 'sent' }]]);
  });

  it('claims per run: another run with the same kind alerts again', async () => {
    const sink = flakySink('sns');
    const observe = makeAlertingObserver({ claims: memoryClaims(), sinks: [sink], clock });

    await observe(runFailedEvent('r-1'));
    await observe(runFailedEvent('r-2'));

    expect(sink.sent.map((alert) => alert.runId)).toEqual(['r-1', 'r-2']);
  });

  it('refuses two sinks with the same name, which would share one claim', () => {
    expect(() => makeAlertingObserver({ claims: memoryClaims(), sinks: [flakySink('sns'), flakySink('sns')], clock })).toThrow(/distinct names/);
  });

  it('sends to a sink that drops repeats itself even while another delivery holds its claim, and to no other', async () => {
    // Given a delivery that claimed both sinks and died before sending (a kill -9 of the local stack)
    const claims = memoryClaims();
    const file = dedupingSink('file');
    const webhook = flakySink('webhook');
    const observe = makeAlertingObserver({ claims, sinks: [file, webhook], clock });
    const event = runFailedEvent('r-held');
    for (const sink of ['file', 'webhook']) await claims.claim({ tenant: 'acme', runId: 'r-held', kind: 'run.failed', sink }, clock.now(), new Date(clock.now().getTime() + 30_000));

    // When the local bus redelivers it within the lease
    const outcome = await observe(event).catch((error: unknown) => error);

    // Then the file sink wrote it, the webhook waits for the lease (its failure makes a retry)
    expect(file.sent).toHaveLength(1);
    expect(webhook.sent).toHaveLength(0);
    expect(outcome).toBeInstanceOf(AlertDeliveryError);
    expect(outcome instanceof AlertDeliveryError && outcome.failedSinks).toEqual(['webhook']);
  });

  it('refuses a lease that is not a positive number of seconds', () => {
    expect(() => makeAlertingObserver({ claims: memoryClaims(), sinks: [], clock, leaseSeconds: 0 })).toThrow(/positive number of seconds/);
  });
});

/** A sink like the local file sink: it keeps what it wrote and drops a repeat. */
function dedupingSink(name: string): AlertSink & { sent: Alert[] } {
  const sent: Alert[] = [];
  return {
    name,
    deduplicates: true,
    sent,
    send: (alert) => Promise.resolve(void (sent.some((done) => done.runId === alert.runId && done.kind === alert.kind) || sent.push(alert))),
  };
}
