import type { RunReporter, Usage } from './run-reporter.ts';

/**
 * Listener-style hooks (RQC-style event listeners: before execute, on status change,
 * after execute, and the phased variant timing the create and poll phases) that report to a run.
 * Code written against such hooks reports to runledger by passing `reportingListener(reporter)`
 * where its listener goes.
 */
export type ExecutionListener = {
  /** The run begins: `run.started`. */
  onBeforeExecute(): void;
  /** The job's own status moved: a `run.checkpoint` named `status:<new>` with `{from, to}`. */
  onStatusChange(oldStatus: string | undefined, newStatus: string): void;
  /** The run ended: `run.completed` with the result and usage, or `run.failed` with the error. */
  onAfterExecute(outcome: { result?: unknown; usage?: Usage } | { error: unknown }): void;
  /** A phase (create, poll, or any name) begins: `task.started`, the phase being the task. */
  onPhaseStart(phase: string): void;
  /** A phase ends: `task.completed` or `task.failed`, with the phase's duration. */
  onPhaseEnd(phase: string, error?: unknown): void;
};

export function reportingListener(reporter: RunReporter, { now = Date.now }: { now?: () => number } = {}): ExecutionListener {
  const phaseStarts = new Map<string, number>();
  return {
    onBeforeExecute: () => void reporter.started(),
    onStatusChange: (from, to) => void reporter.checkpoint(`status:${to}`, { from: from ?? null, to }),
    onAfterExecute: (outcome) => {
      if ('error' in outcome) reporter.failed(outcome.error);
      else reporter.completed(outcome.result, outcome.usage);
    },
    onPhaseStart: (phase) => {
      phaseStarts.set(phase, now());
      reporter.task(phase, { stage: phase }).started();
    },
    onPhaseEnd: (phase, error) => {
      const startedAt = phaseStarts.get(phase);
      phaseStarts.delete(phase);
      const details = startedAt === undefined ? {} : { durationMs: Math.max(0, now() - startedAt) };
      const task = reporter.task(phase, { stage: phase });
      if (error === undefined) task.completed(undefined, details);
      else task.failed(error, details);
    },
  };
}

/** AntFlow StatusTracker's item statuses. */
export type ItemStatus = 'queued' | 'in_progress' | 'completed' | 'failed' | 'retrying';

/**
 * A StatusTracker-style callback (item id, new status, attempt and error) that reports each item as
 * a task of the run: queued, started, retrying (with attempt and error), completed, failed.
 */
export function reportingStatusCallback(reporter: RunReporter): (itemId: string, status: ItemStatus, details?: { attempt?: number; error?: unknown; result?: unknown }) => void {
  return (itemId, status, details = {}) => {
    const task = reporter.task(itemId);
    const attempt = details.attempt === undefined ? {} : { attempt: details.attempt };
    switch (status) {
      case 'queued':
        task.queued(attempt);
        return;
      case 'in_progress':
        task.started(attempt);
        return;
      case 'retrying':
        task.retrying(details.attempt ?? 1, details.error === undefined ? {} : { error: details.error });
        return;
      case 'completed':
        task.completed(details.result, attempt);
        return;
      case 'failed':
        task.failed(details.error ?? 'failed', attempt);
        return;
    }
  };
}
