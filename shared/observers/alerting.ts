import type { RunLedgerBusEvent } from '../bus/published-event.ts';
import type { Clock } from '../ports.ts';
import { DEFAULT_ALERT_LEASE_SECONDS, type AlertClaimKey, type AlertClaims, type ClaimResult } from './alert-claims.ts';

/** The kinds of alert: a run that failed or timed out, a task that failed for good. */
export type AlertKind = 'run.failed' | 'run.timed_out' | 'task.failed';

export type Alert = {
  readonly kind: AlertKind;
  readonly tenant: string;
  readonly runId: string;
  readonly taskId?: string;
  readonly seq: number;
  readonly occurredAt: string;
  /** One line a person reads first: "run r-1 failed: boom". */
  readonly title: string;
  readonly message: string;
};

/** Somewhere alerts go: SNS (email), a Slack-compatible webhook, a file and the console locally. */
export interface AlertSink {
  /** Stable across deployments: claims are kept per sink name, so renaming a sink alerts it again. */
  readonly name: string;
  send(alert: Alert): Promise<void>;
  /**
   * True when the sink itself drops a repeat of an alert it already sent (the local file sink).
   * Such a sink is sent the alert even while another delivery holds the claim (see sendOnce).
   */
  readonly deduplicates?: boolean;
}

/** Some sinks could not be sent an alert; the others were (and will not be sent it again). */
export class AlertDeliveryError extends Error {
  override readonly name = 'AlertDeliveryError';
  readonly failedSinks: readonly string[];
  constructor(alert: Alert, failures: ReadonlyArray<{ sink: string; error: unknown }>) {
    super(`alert ${alert.kind} for run ${alert.runId} could not be sent to ${failures.map((failure) => failure.sink).join(', ')}`, {
      cause: new AggregateError(failures.map((failure) => failure.error), 'sink failures'),
    });
    this.failedSinks = failures.map((failure) => failure.sink);
  }
}

/** The alert an event calls for, if any. A task failure with attempts left is not final: no alert. */
export function alertFor(event: RunLedgerBusEvent): Alert | undefined {
  const { detail } = event;
  const base = { tenant: detail.tenant, runId: detail.runId, seq: detail.seq, occurredAt: detail.occurredAt };
  switch (detail.type) {
    case 'run.failed':
      return { ...base, kind: 'run.failed', title: `run ${detail.runId} failed`, message: detail.payload.error.message };
    case 'run.timed_out':
      return {
        ...base,
        kind: 'run.timed_out',
        title: `run ${detail.runId} timed out`,
        message: detail.payload?.timeoutSeconds === undefined ? 'no timeout given' : `after ${detail.payload.timeoutSeconds} s`,
      };
    case 'task.failed': {
      const { attempt, taskId, error } = detail.payload;
      const maxAttempts = detail.payload.maxAttempts;
      if (typeof maxAttempts === 'number' && attempt !== undefined && attempt < maxAttempts) return undefined;
      return { ...base, kind: 'task.failed', taskId, title: `task ${taskId} of run ${detail.runId} failed`, message: error.message };
    }
    default:
      return undefined;
  }
}


/** Another delivery holds this sink's claim and may be sending right now: try again after its lease. */
export class AlertClaimHeldError extends Error {
  override readonly name = 'AlertClaimHeldError';
  readonly leaseUntil: Date;
  constructor(key: AlertClaimKey, leaseUntil: Date) {
    super(`alert ${key.kind} for run ${key.runId} to ${key.sink} is claimed by another delivery until ${leaseUntil.toISOString()}`);
    this.leaseUntil = leaseUntil;
  }
}

/** The sink accepted the alert but the claim could not be marked sent: after the lease it may be sent once more. */
export class AlertNotMarkedError extends Error {
  override readonly name = 'AlertNotMarkedError';
  constructor(key: AlertClaimKey, options: { cause: unknown }) {
    super(`alert ${key.kind} for run ${key.runId} was sent to ${key.sink} but not marked sent: it may be sent again after the lease`, options);
  }
}

export type AlertingObserverOptions = {
  readonly claims: AlertClaims;
  readonly sinks: readonly AlertSink[];
  readonly clock: Clock;
  /** How long a claim is held before a redelivery may take it over. @default DEFAULT_ALERT_LEASE_SECONDS */
  readonly leaseSeconds?: number;
};

/**
 * The alerting observer: one alert per (run, kind, sink) however often the event is delivered,
 * and none lost to a crash. Each sink is claimed on its own with a lease before it is sent to,
 * and marked sent once it accepted the alert. A crash between claim and send leaves a pending
 * claim that a redelivery takes over when the lease has ended; a crash between send and mark
 * (or a failed mark) means one repeat after the lease: the only at-least-once edge. Every sink
 * is tried, then the failures are thrown, so the redelivery (SQS, then the dead-letter queue)
 * retries the failed sinks only: a sink marked sent is never sent again.
 */
export function makeAlertingObserver({ claims, sinks, clock, leaseSeconds = DEFAULT_ALERT_LEASE_SECONDS }: AlertingObserverOptions) {
  const names = new Set(sinks.map((sink) => sink.name));
  if (names.size !== sinks.length) throw new Error(`alert sinks need distinct names, got ${sinks.map((sink) => sink.name).join(', ')}`);
  if (!Number.isFinite(leaseSeconds) || leaseSeconds <= 0) throw new Error(`the alert claim lease must be a positive number of seconds, got ${leaseSeconds}`);
  const context = { claims, clock, leaseMs: leaseSeconds * 1000 };
  return async function observe(event: RunLedgerBusEvent): Promise<Alert | undefined> {
    const alert = alertFor(event);
    if (alert === undefined) return undefined;
    const outcomes = await Promise.all(sinks.map((sink) => sendOnce(context, sink, alert)));
    const failures = outcomes.flatMap((outcome) => (outcome.status === 'failed' ? [outcome] : []));
    if (failures.length > 0) throw new AlertDeliveryError(alert, failures);
    return outcomes.some((outcome) => outcome.status === 'sent') ? alert : undefined;
  };
}

type SendContext = { readonly claims: AlertClaims; readonly clock: Clock; readonly leaseMs: number };
type SendOutcome = { status: 'sent' | 'already-sent' } | { status: 'failed'; sink: string; error: unknown };

async function sendOnce({ claims, clock, leaseMs }: SendContext, sink: AlertSink, alert: Alert): Promise<SendOutcome> {
  const key = { tenant: alert.tenant, runId: alert.runId, kind: alert.kind, sink: sink.name };
  const failed = (error: unknown): SendOutcome => ({ status: 'failed', sink: sink.name, error });
  const now = clock.now();
  let claim: ClaimResult;
  try {
    claim = await claims.claim(key, now, new Date(now.getTime() + leaseMs));
  } catch (error: unknown) {
    return failed(error);
  }
  if (claim.status === 'sent') return { status: 'already-sent' };
  if (claim.status === 'held') {
    // A held claim is retried after its lease (the SQS visibility timeout outlasts it). The local
    // bus retries within seconds, long before a lease ends, so after a kill -9 of the local stack
    // the file sink would be dead-lettered instead: it drops repeats itself, so it is sent now.
    // Its claim is another delivery's: that one marks or releases it.
    if (sink.deduplicates !== true) return failed(new AlertClaimHeldError(key, claim.leaseUntil));
    return sink.send(alert).then(() => ({ status: 'sent' }), failed);
  }
  try {
    await sink.send(alert);
  } catch (error: unknown) {
    // If the release fails too, the claim stays pending until its lease ends, then a retry takes it over.
    const released = await claims.release(key, claim.token).then(
      () => undefined,
      (releaseError: unknown) => releaseError,
    );
    return failed(released === undefined ? error : new AggregateError([error, released], 'send and release failed'));
  }
  try {
    await claims.markSent(key, clock.now());
  } catch (error: unknown) {
    return failed(new AlertNotMarkedError(key, { cause: error }));
  }
  return { status: 'sent' };
}
