/** A task as `GET /v1/runs/{runId}/tasks` lists it (shared/run/task-view.ts). */
export type TaskLike = {
  readonly taskId: string;
  readonly name: string | null;
  readonly status: string;
  readonly attempt: number | null;
  readonly firstEventAt: string;
  readonly lastEventAt: string;
};

/** One bar of the timeline: where it starts and how wide it is, in percent of the run's span. */
export type TimelineBar = {
  readonly taskId: string;
  readonly label: string;
  readonly status: string;
  readonly leftPercent: number;
  readonly widthPercent: number;
  /** Attempts past the first: shown as a retry count on the bar. */
  readonly retries: number;
  readonly durationMs: number;
};

export type Timeline = { readonly startMs: number; readonly endMs: number; readonly bars: readonly TimelineBar[] };

/** Narrowest bar drawn, in percent, so an instant task is still visible and clickable. */
const MIN_WIDTH_PERCENT = 0.5;

/**
 * Bars from each task's first to last event over the span of the run (its start to its end, or
 * to now while it runs), in the order tasks began. Times are the producers' clocks.
 */
export function timelineOf(tasks: readonly TaskLike[], run: { readonly startMs?: number; readonly endMs?: number } = {}): Timeline {
  const starts = tasks.map((task) => Date.parse(task.firstEventAt)).filter(Number.isFinite);
  const ends = tasks.map((task) => Date.parse(task.lastEventAt)).filter(Number.isFinite);
  const startMs = Math.min(run.startMs ?? Infinity, ...starts);
  const endMs = Math.max(run.endMs ?? -Infinity, ...ends);
  if (!Number.isFinite(startMs) || !Number.isFinite(endMs)) return { startMs: 0, endMs: 0, bars: [] };
  const span = Math.max(1, endMs - startMs);
  const bars = [...tasks]
    .sort((a, b) => a.firstEventAt.localeCompare(b.firstEventAt) || a.taskId.localeCompare(b.taskId))
    .map((task) => {
      const first = Date.parse(task.firstEventAt);
      const last = Math.max(first, Date.parse(task.lastEventAt));
      const widthPercent = clamp(((last - first) / span) * 100, MIN_WIDTH_PERCENT, 100);
      // A task that ends the run still gets its narrow bar: drawn just inside the right edge.
      const leftPercent = clamp(((first - startMs) / span) * 100, 0, 100 - widthPercent);
      return {
        taskId: task.taskId,
        label: task.name ?? task.taskId,
        status: task.status,
        leftPercent,
        widthPercent,
        retries: Math.max(0, (task.attempt ?? 1) - 1),
        durationMs: last - first,
      };
    });
  return { startMs, endMs, bars };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
