import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, type ApiClient } from '../api/client.ts';
import { RUN_STATUSES } from '../api/schemas.ts';
import { usePolling } from '../use-polling.ts';
import { formatDuration, formatTime } from '../view/format.ts';
import { runHref, runsHref } from '../view/route.ts';
import { StatusBadge } from './status-badge.tsx';

const REFRESH_MS = 5000;

/** Counts by status, filters, and the runs most recently updated first, a page at a time. */
export function RunsPage({ client, query, onUnauthorized }: { readonly client: ApiClient; readonly query: URLSearchParams; readonly onUnauthorized: () => void }) {
  const status = query.get('status') ?? '';
  const threadId = query.get('threadId') ?? '';
  // Cursors of the pages before this one: Previous pops, Next pushes.
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1);
  const stats = usePolling(() => client.stats(), 'stats', REFRESH_MS);
  const runs = usePolling(() => client.listRuns({ status, threadId, cursor, limit: 20 }), `${status}|${threadId}|${cursor ?? ''}`, REFRESH_MS);
  const failure = runs.error ?? stats.error;
  const refused = failure instanceof ApiError && failure.status === 401;
  useEffect(() => {
    if (refused) onUnauthorized();
  }, [refused, onUnauthorized]);

  const applyFilters = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setCursors([]);
    const text = (name: string) => {
      const value = form.get(name);
      return typeof value === 'string' ? value.trim() : '';
    };
    window.location.hash = runsHref({ status: text('status'), threadId: text('threadId') });
  };

  return (
    <>
      <h1>Runs</h1>
      <section aria-label="Runs by status" className="stats">
        {RUN_STATUSES.map((name) => (
          <a key={name} href={runsHref({ status: name, threadId })} className={`stat status-${name}`} aria-current={status === name ? 'true' : undefined}>
            <span className="stat-count">{stats.data?.runs[name] ?? '–'}</span>
            <span className="stat-name">{name.replace('_', ' ')}</span>
          </a>
        ))}
      </section>
      <form className="filters" onSubmit={applyFilters} aria-label="Filter runs">
        <label>
          Status
          <select name="status" defaultValue={status} key={`s${status}`}>
            <option value="">any</option>
            {RUN_STATUSES.map((name) => (
              <option key={name} value={name}>
                {name.replace('_', ' ')}
              </option>
            ))}
          </select>
        </label>
        <label>
          Thread
          <input name="threadId" defaultValue={threadId} key={`t${threadId}`} placeholder="threadId" />
        </label>
        <button type="submit">Filter</button>
        {status !== '' || threadId !== '' ? <a href={runsHref()}>Clear</a> : null}
      </form>
      {failure !== undefined && !(failure instanceof ApiError && failure.status === 401) ? (
        <p role="alert" className="error">
          {failure instanceof Error ? failure.message : 'The runs could not be read.'}
        </p>
      ) : null}
      <div className="table-wrap">
        <table className="runs">
          <caption className="visually-hidden">Runs, most recently updated first</caption>
          <thead>
            <tr>
              <th scope="col">Status</th>
              <th scope="col">Run</th>
              <th scope="col">Thread</th>
              <th scope="col">Started</th>
              <th scope="col">Duration</th>
              <th scope="col">Tasks</th>
            </tr>
          </thead>
          <tbody>
            {(runs.data?.runs ?? []).map((run) => (
              <tr key={run.runId}>
                <td>
                  <StatusBadge status={run.status} />
                </td>
                <td>
                  <a href={runHref(run.runId)}>{run.runId}</a>
                </td>
                <td>{run.threadId === null ? '—' : <a href={runsHref({ threadId: run.threadId })}>{run.threadId}</a>}</td>
                <td>{formatTime(run.startedAt ?? run.createdAt)}</td>
                <td>{formatDuration(run.durationMs ?? (run.endedAt === null ? Date.now() - Date.parse(run.startedAt ?? run.createdAt) : null))}</td>
                <td>{taskCounts(run.tasks)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {runs.loading ? <p className="muted">Loading…</p> : runs.data?.runs.length === 0 ? <p className="muted">No runs{status || threadId ? ' match these filters' : ' yet'}.</p> : null}
      </div>
      <nav className="pager" aria-label="Pages of runs">
        <button type="button" disabled={cursors.length === 0} onClick={() => setCursors((list) => list.slice(0, -1))}>
          Previous
        </button>
        <button type="button" disabled={runs.data?.nextCursor == null} onClick={() => setCursors((list) => (runs.data?.nextCursor == null ? list : [...list, runs.data.nextCursor]))}>
          Next
        </button>
      </nav>
    </>
  );
}

function taskCounts(tasks: Readonly<Record<string, number>>): string {
  const parts = Object.entries(tasks)
    .filter(([, count]) => count > 0)
    .map(([name, count]) => `${count} ${name.replace('_', ' ')}`);
  return parts.length === 0 ? '—' : parts.join(', ');
}
