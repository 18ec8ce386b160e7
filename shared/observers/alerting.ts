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

/** Remembers which (run, kind) already alerted, so a redelivered event alerts once. */
export interface AlertClaims {
  /** True when this caller is the first to claim the key. */
  claim(tenant: string, runId: string, kind: AlertKind): Promise<boolean>;
  /** Gives a claim back after the alert could not be sent, so a retry sends it. */
  release(tenant: string, runId: string, kind: AlertKind): Promise<void>;
}

/** Somewhere alerts go: SNS (email), a Slack-compatible webhook, a file and the console locally. */
export interface AlertSink {
  send(alert: Alert): Promise<void>;
  /**
   * True when the sink itself drops a repeat of an alert it already sent (the local file sink).
   * Such a sink gets the alert even when the claim was taken earlier: a crash between the claim
   * and the send then still ends in one alert, not none.
   */
  readonly deduplicates?: boolean;
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
 * The alerting observer: one alert per (run, kind) even when EventBridge delivers the event
 * twice. The claim comes first; if any sink fails the claim is given back and the error thrown,
 * so EventBridge's retry sends the alert again rather than never.
 */
export function makeAlertingObserver({ claims, sinks }: { claims: AlertClaims; sinks: readonly AlertSink[] }) {
  return async function observe(event: RunLedgerBusEvent): Promise<Alert | undefined> {
    const alert = alertFor(event);
    if (alert === undefined) return undefined;
    if (!(await claims.claim(alert.tenant, alert.runId, alert.kind))) {
      await Promise.all(sinks.filter((sink) => sink.deduplicates === true).map((sink) => sink.send(alert)));
      return undefined;
    }
    try {
      await Promise.all(sinks.map((sink) => sink.send(alert)));
    } catch (error: unknown) {
      await claims.release(alert.tenant, alert.runId, alert.kind);
      throw new Error(`alert ${alert.kind} for run ${alert.runId} could not be sent`, { cause: error });
    }
    return alert;
  };
}
