import type { TaskView } from '../api/schemas.ts';
import { formatDuration } from '../view/format.ts';
import { timelineOf } from '../view/timeline.ts';

/** The tasks as bars from their first to their last event over the run's span. */
export function Timeline({ tasks, startMs, endMs }: { readonly tasks: readonly TaskView[]; readonly startMs?: number; readonly endMs?: number }) {
  const timeline = timelineOf(tasks, { ...(startMs === undefined ? {} : { startMs }), ...(endMs === undefined ? {} : { endMs }) });
  if (timeline.bars.length === 0) return <p className="muted">No tasks.</p>;
  return (
    <ol className="timeline" aria-label="Tasks over time">
      {timeline.bars.map((bar) => (
        <li key={bar.taskId} className="timeline-row">
          <span className="timeline-label" title={bar.taskId}>
            {bar.label}
          </span>
          <span className="timeline-track">
            <span className={`timeline-bar status-${bar.status}`} style={{ left: `${bar.leftPercent}%`, width: `${bar.widthPercent}%` }} />
          </span>
          <span className="timeline-meta">
            {bar.status.replace('_', ' ')} · {formatDuration(bar.durationMs)}
            {bar.retries > 0 ? ` · ${bar.retries} ${bar.retries === 1 ? 'retry' : 'retries'}` : ''}
          </span>
        </li>
      ))}
    </ol>
  );
}
