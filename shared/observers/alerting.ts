import type { RunLedgerBusEvent } from '../bus/published-event.ts';

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

/** Who claimed what: one alert of one kind for one run, sent to one sink. */
export type AlertClaimKey = { readonly tenant: string; readonly runId: string; readonly kind: AlertKind; readonly sink: string };

/** Remembers which (run, kind, sink) already alerted, so a redelivered event alerts each sink once. */
export interface AlertClaims {
  /** True when this caller is the first to claim the key. */
  claim(key: AlertClaimKey): Promise<boolean>;
  /** Gives a claim back after the alert could not be sent to its sink, so a retry sends it. */
  release(key: AlertClaimKey): Promise<void>;
}

/** Somewhere alerts go: SNS (email), a Slack-compatible webhook, a file and the console locally. */
export interface AlertSink {
  /** Stable across deployments: claims are kept per sink name, so renaming a sink alerts it again. */
  readonly name: string;
  send(alert: Alert): Promise<void>;
  /**
   * True when the sink itself drops a repeat of an alert it already sent (the local file sink).
   * Such a sink gets the alert even when the claim was taken earlier: a crash between the claim
   * and the send then still ends in one alert, not none.
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

/**
 * The alerting observer: one alert per (run, kind, sink) however often the event is delivered.
 * Each sink is claimed on its own before it is sent to; a sink that fails gives back only its own
 * claim. Every sink is tried, then the failure is thrown, so the redelivery (SQS, then the
 * dead-letter queue) sends to the failed sinks only: a sink that succeeded is never sent again.
 */
export function makeAlertingObserver({ claims, sinks }: { claims: AlertClaims; sinks: readonly AlertSink[] }) {
  const names = new Set(sinks.map((sink) => sink.name));
  if (names.size !== sinks.length) throw new Error(`alert sinks need distinct names, got ${sinks.map((sink) => sink.name).join(', ')}`);
  return async function observe(event: RunLedgerBusEvent): Promise<Alert | undefined> {
    const alert = alertFor(event);
    if (alert === undefined) return undefined;
    const outcomes = await Promise.all(sinks.map((sink) => sendOnce(claims, sink, alert)));
    const failures = outcomes.flatMap((outcome) => (outcome.status === 'failed' ? [outcome] : []));
    if (failures.length > 0) throw new AlertDeliveryError(alert, failures);
    return outcomes.some((outcome) => outcome.status === 'sent') ? alert : undefined;
  };
}

type SendOutcome = { status: 'sent' | 'already-sent' } | { status: 'failed'; sink: string; error: unknown };

async function sendOnce(claims: AlertClaims, sink: AlertSink, alert: Alert): Promise<SendOutcome> {
  const key = { tenant: alert.tenant, runId: alert.runId, kind: alert.kind, sink: sink.name };
  try {
    // A sink that drops repeats itself still gets the alert: a crash between an earlier claim and
    // its send then ends in one alert, not none.
    if (!(await claims.claim(key)) && sink.deduplicates !== true) return { status: 'already-sent' };
  } catch (error: unknown) {
    return { status: 'failed', sink: sink.name, error };
  }
  try {
    await sink.send(alert);
    return { status: 'sent' };
  } catch (error: unknown) {
    // If the release fails too, the claim stays and this sink misses the alert: say so in the error.
    const released = await claims.release(key).then(
      () => undefined,
      (releaseError: unknown) => releaseError,
    );
    return { status: 'failed', sink: sink.name, error: released === undefined ? error : new AggregateError([error, released], 'send and release failed') };
  }
}
