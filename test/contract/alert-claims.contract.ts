import { describe, expect, it } from 'vitest';
import type { AlertClaimKey, AlertClaims } from '#shared/observers/alert-claims.ts';
import { AlertClaimHeldError, AlertDeliveryError, AlertNotMarkedError, alertFor, makeAlertingObserver } from '#shared/observers/alerting.ts';
import { flakySink, runFailedEvent } from '#test/support/alerts.ts';
import { fakeClock } from '#test/support/clock.ts';
import { uniqueId } from '#test/support/events.ts';

const LEASE_SECONDS = 30;

const keyOf = (runId: string, sink = 'sns'): AlertClaimKey => ({ tenant: 'acme', runId, kind: 'run.failed', sink });
const leaseFrom = (now: Date) => new Date(now.getTime() + LEASE_SECONDS * 1000);

/** The error each sink failed with, from one delivery's AlertDeliveryError. */
function causesOf(error: unknown): unknown[] {
  if (!(error instanceof AlertDeliveryError) || !(error.cause instanceof AggregateError)) return [];
  return error.cause.errors;
}

/**
 * What every AlertClaims adapter must do, first as primitives, then under the alerting observer
 * with a fake clock (crashes simulated by calling the primitives and stopping). `make` gives
 * claims; keys are unique per test, so one table may serve every test.
 */
export function describeAlertClaimsContract(name: string, make: () => Promise<AlertClaims>): void {
  describe(`AlertClaims contract: ${name}, primitives`, () => {
    it('claims a free key, then answers held with the lease end while that lease lives', async () => {
      const claims = await make();
      const clock = fakeClock();
      const key = keyOf(uniqueId('run'));
      expect(await claims.claim(key, clock.now(), leaseFrom(clock.now()))).toEqual({ status: 'claimed', token: expect.any(String) });
      clock.advanceSeconds(LEASE_SECONDS);
      expect(await claims.claim(key, clock.now(), leaseFrom(clock.now()))).toEqual({ status: 'held', leaseUntil: new Date('2026-11-23T10:00:30Z') });
    });

    it('lets a claim take over a pending claim whose lease has ended, with a new token', async () => {
      const claims = await make();
      const clock = fakeClock();
      const key = keyOf(uniqueId('run'));
      const first = await claims.claim(key, clock.now(), leaseFrom(clock.now()));
      clock.advanceSeconds(LEASE_SECONDS + 1);
      const second = await claims.claim(key, clock.now(), leaseFrom(clock.now()));
      expect(second).toEqual({ status: 'claimed', token: expect.any(String) });
      expect(second).not.toEqual(first);
    });

    it('answers sent once marked sent, also long after the lease', async () => {
      const claims = await make();
      const clock = fakeClock();
      const key = keyOf(uniqueId('run'));
      await claims.claim(key, clock.now(), leaseFrom(clock.now()));
      await claims.markSent(key, clock.now());
      clock.advanceSeconds(3600);
      expect(await claims.claim(key, clock.now(), leaseFrom(clock.now()))).toEqual({ status: 'sent' });
    });

    it('frees a pending claim on release, but keeps a sent one', async () => {
      const claims = await make();
      const clock = fakeClock();
      const [pending, sent] = [keyOf(uniqueId('run')), keyOf(uniqueId('run'))];
      const pendingClaim = await claims.claim(pending, clock.now(), leaseFrom(clock.now()));
      const sentClaim = await claims.claim(sent, clock.now(), leaseFrom(clock.now()));
      if (pendingClaim.status !== 'claimed' || sentClaim.status !== 'claimed') throw new Error('fresh keys were not claimed');
      await claims.markSent(sent, clock.now());
      await claims.release(pending, pendingClaim.token);
      await claims.release(sent, sentClaim.token);
      expect(await claims.claim(pending, clock.now(), leaseFrom(clock.now()))).toMatchObject({ status: 'claimed' });
      expect(await claims.claim(sent, clock.now(), leaseFrom(clock.now()))).toEqual({ status: 'sent' });
    });

    it('ignores a release by a holder whose lease was taken over', async () => {
      const claims = await make();
      const clock = fakeClock();
      const key = keyOf(uniqueId('run'));
      const stale = await claims.claim(key, clock.now(), leaseFrom(clock.now()));
      if (stale.status !== 'claimed') throw new Error('a fresh key was not claimed');
      clock.advanceSeconds(LEASE_SECONDS + 1);
      await claims.claim(key, clock.now(), leaseFrom(clock.now()));
      await claims.release(key, stale.token);
      expect(await claims.claim(key, clock.now(), leaseFrom(clock.now()))).toMatchObject({ status: 'held' });
    });

    it('gives a key to one of many claims at once', async () => {
      const claims = await make();
      const clock = fakeClock();
      const key = keyOf(uniqueId('run'));
      const results = await Promise.all(Array.from({ length: 8 }, () => claims.claim(key, clock.now(), leaseFrom(clock.now()))));
      expect(results.filter((result) => result.status === 'claimed')).toHaveLength(1);
      expect(results.filter((result) => result.status === 'held')).toHaveLength(7);
    });
  });

  describe(`AlertClaims contract: ${name}, under the alerting observer`, () => {
    async function setUp(sinks = [flakySink('sns')]) {
      const claims = await make();
      const clock = fakeClock();
      const observe = makeAlertingObserver({ claims, sinks, clock, leaseSeconds: LEASE_SECONDS });
      const event = runFailedEvent(uniqueId('run'));
      const alert = alertFor(event);
      if (alert === undefined) throw new Error('a run.failed event calls for an alert');
      return { claims, clock, observe, event, alert, key: keyOf(event.detail.runId) };
    }

    it('sends once when a delivery crashed after its claim: the redelivery after the lease takes it over', async () => {
      // Given a delivery that claimed the sink and died before sending
      const sink = flakySink('sns');
      const { claims, clock, observe, event, key } = await setUp([sink]);
      await claims.claim(key, clock.now(), leaseFrom(clock.now()));

      // When the event is redelivered within the lease, then after it, then again
      clock.advanceSeconds(10);
      const early = await observe(event).catch((error: unknown) => error);
      clock.advanceSeconds(LEASE_SECONDS);
      await observe(event);
      await observe(event);

      // Then the early redelivery failed as held (so it is retried), and the sink got one alert
      expect(causesOf(early)).toEqual([expect.any(AlertClaimHeldError)]);
      expect(sink.sent).toHaveLength(1);
    });

    it('repeats an alert at most once when a delivery crashed after sending, before marking it sent', async () => {
      // Given a delivery that claimed, sent, and died before markSent
      const sink = flakySink('sns');
      const { claims, clock, observe, event, alert, key } = await setUp([sink]);
      await claims.claim(key, clock.now(), leaseFrom(clock.now()));
      await sink.send(alert);

      // When the event is redelivered every 20 s for five minutes
      for (let delivery = 0; delivery < 15; delivery++) {
        clock.advanceSeconds(20);
        await observe(event).catch(() => undefined);
      }

      // Then the sink got the alert twice: the original and one repeat after the lease
      expect(sink.sent).toHaveLength(2);
    });

    it('sends once when deliveries of one event run at once; the ones that found it held find it sent later', async () => {
      const sink = flakySink('sns');
      const { clock, observe, event } = await setUp([sink]);

      const outcomes = await Promise.all([observe(event), observe(event), observe(event)].map((delivery) => delivery.then(() => 'ok', (error: unknown) => error)));
      clock.advanceSeconds(LEASE_SECONDS + 1);
      const retries = await Promise.all([observe(event), observe(event)]);

      expect(sink.sent).toHaveLength(1);
      expect(outcomes.filter((outcome) => outcome === 'ok')).toHaveLength(1);
      expect(outcomes.filter((outcome) => outcome !== 'ok').flatMap(causesOf)).toEqual([expect.any(AlertClaimHeldError), expect.any(AlertClaimHeldError)]);
      expect(retries).toEqual([undefined, undefined]);
    });

    it('reports a sink whose alert was sent but not marked, and repeats it at most once', async () => {
      const sink = flakySink('sns');
      const { claims, clock, event } = await setUp([sink]);
      let markFailures = 1;
      const failingMark: AlertClaims = {
        claim: (key, now, leaseUntil) => claims.claim(key, now, leaseUntil),
        markSent: (key, now) => (markFailures-- > 0 ? Promise.reject(new Error('throttled')) : claims.markSent(key, now)),
        release: (key, token) => claims.release(key, token),
      };
      const observe = makeAlertingObserver({ claims: failingMark, sinks: [sink], clock, leaseSeconds: LEASE_SECONDS });

      const first = await observe(event).catch((error: unknown) => error);
      for (let delivery = 0; delivery < 5; delivery++) {
        clock.advanceSeconds(20);
        await observe(event).catch(() => undefined);
      }

      expect(causesOf(first)).toEqual([expect.any(AlertNotMarkedError)]);
      expect(sink.sent).toHaveLength(2);
    });

    it('gives the claim back when a sink fails, so the next delivery sends without waiting for the lease', async () => {
      const sink = flakySink('sns', 1);
      const { observe, event } = await setUp([sink]);

      await expect(observe(event)).rejects.toBeInstanceOf(AlertDeliveryError);
      await observe(event);

      expect({ attempts: sink.attempts, sent: sink.sent.length }).toEqual({ attempts: 2, sent: 1 });
    });
  });
}
