import * as z from 'zod/mini';

export const RUN_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled', 'timed_out'] as const;
export const RunStatusSchema = z.enum(RUN_STATUSES);
export type RunStatus = z.infer<typeof RunStatusSchema>;

export const TASK_STATUSES = ['queued', 'in_progress', 'completed', 'failed', 'retrying', 'cancelled', 'timed_out'] as const;
export const TaskStatusSchema = z.enum(TASK_STATUSES);
export type TaskStatus = z.infer<typeof TaskStatusSchema>;

export type TerminalRunStatus = Extract<RunStatus, 'completed' | 'failed' | 'cancelled' | 'timed_out'>;

const TERMINAL_RUN_EVENTS: Readonly<Record<string, TerminalRunStatus>> = {
  'run.completed': 'completed',
  'run.failed': 'failed',
  'run.cancelled': 'cancelled',
  'run.timed_out': 'timed_out',
};

const TASK_EVENTS: Readonly<Record<string, TaskStatus>> = {
  'task.queued': 'queued',
  'task.started': 'in_progress',
  'task.retrying': 'retrying',
  'task.completed': 'completed',
  'task.failed': 'failed',
  'task.cancelled': 'cancelled',
  'task.timed_out': 'timed_out',
};

/** The terminal run status an event type sets, if it is one of the four terminal events. */
export function terminalStatusOf(type: string): TerminalRunStatus | undefined {
  return Object.hasOwn(TERMINAL_RUN_EVENTS, type) ? TERMINAL_RUN_EVENTS[type] : undefined;
}

/** The task status an event type sets, if it is a task event. */
export function taskStatusOf(type: string): TaskStatus | undefined {
  return Object.hasOwn(TASK_EVENTS, type) ? TASK_EVENTS[type] : undefined;
}

/** Every event but `run.queued` and the terminal ones shows the run is doing something. */
export function isActivity(type: string): boolean {
  return type !== 'run.queued' && terminalStatusOf(type) === undefined;
}
