import * as z from 'zod/mini';
import type { RunState } from './run-state.ts';
import { TaskStatusSchema } from './status.ts';

export const TaskViewSchema = z.object({
  taskId: z.string(),
  status: TaskStatusSchema,
  name: z.nullable(z.string()),
  attempt: z.nullable(z.int()),
  firstEventAt: z.string(),
  lastEventAt: z.string(),
  /** From the first to the last event of the task (producer clock). */
  durationMs: z.number(),
});
export type TaskView = z.infer<typeof TaskViewSchema>;

/** A run's tasks with their current status, attempt and timings, in the order they began. */
export function toTaskViews(state: RunState): TaskView[] {
  return Object.entries(state.tasks)
    .map(([taskId, task]) => ({
      taskId,
      status: task.status,
      name: task.name ?? null,
      attempt: task.attempt ?? null,
      firstEventAt: task.firstAt,
      lastEventAt: task.lastAt,
      durationMs: Math.max(0, Date.parse(task.lastAt) - Date.parse(task.firstAt)),
    }))
    .sort((a, b) => a.firstEventAt.localeCompare(b.firstEventAt) || a.taskId.localeCompare(b.taskId));
}
