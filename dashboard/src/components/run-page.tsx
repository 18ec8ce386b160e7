import { useEffect, useMemo, useState } from 'react';
import { ApiError, type ApiClient } from '../api/client.ts';
import type { RunSummary } from '../api/schemas.ts';
import { useRun } from '../use-run.ts';
import { formatDuration, formatTime, isTerminal } from '../view/format.ts';
import { EventsList } from './events-list.tsx';
import { JsonView } from './json-view.tsx';
import { ShareButton } from './share-button.tsx';
import { StatusBadge } from './status-badge.tsx';
import { Timeline } from './timeline.tsx';

/** One run: header, tasks timeline, and its events, live while the run is not finished. */
export function RunPage({ client, runId, onUnauthorized }: { readonly client: ApiClient; readonly runId: string; readonly onUnauthorized?: () => void }) {
  const run = useRun(client, runId);
  const [follow, setFollow] = useState(false);
  const missing = useMemo(() => new Set(run.summary?.missingSeqs ?? []), [run.summary]);
  const shared = client.credential.kind === 'share';
  const refused = run.error instanceof ApiError && run.error.status === 401;
  useEffect(() => {
    if (refused && !shared) onUnauthorized?.();
  }, [refused, shared, onUnauthorized]);

  if (run.error !== undefined) return <RunError error={run.error} runId={runId} shared={shared} />;
  const { summary } = run;
  if (summary === undefined) return <p className="muted">Loading run {runId}…</p>;
  const startMs = Date.parse(summary.startedAt ?? summary.createdAt);
  const endMs = summary.endedAt === null ? undefined : Date.parse(summary.endedAt);
  return (
    <>
      {shared ? null : (
        <p>
          <a href="#/">← Runs</a>
        </p>
      )}
      <RunHeader summary={summary} live={run.live} />
      {shared ? null : <ShareButton client={client} runId={runId} />}
      <section aria-labelledby="tasks-title">
        <h2 id="tasks-title">Tasks</h2>
        <Timeline tasks={run.tasks} startMs={startMs} {...(endMs === undefined ? {} : { endMs })} />
      </section>
      <section aria-labelledby="events-title">
        <div className="section-head">
          <h2 id="events-title">Events</h2>
          {isTerminal(summary.status) ? null : (
            <label className="follow">
              <input type="checkbox" checked={follow} onChange={(event) => setFollow(event.target.checked)} /> Follow new events
            </label>
          )}
        </div>
        <EventsList events={run.events} missing={missing} onShowing={run.showing} follow={follow} />
      </section>
    </>
  );
}

function RunHeader({ summary, live }: { readonly summary: RunSummary; readonly live: string }) {
  return (
    <section className="card run-header" aria-labelledby="run-title">
      <h1 id="run-title">
        {summary.title ?? summary.runId} <StatusBadge status={summary.status} />
      </h1>
      <p className="muted" aria-live="polite">
        {live === 'open' ? 'live' : live === 'retrying' ? 'reconnecting…' : live === 'connecting' && !isTerminal(summary.status) ? 'connecting…' : ''}
      </p>
      <dl className="facts">
        <Fact name="Run">{summary.runId}</Fact>
        <Fact name="Thread">{summary.threadId ?? '—'}</Fact>
        <Fact name="Started">{formatTime(summary.startedAt ?? summary.createdAt)}</Fact>
        <Fact name="Ended">{formatTime(summary.endedAt)}</Fact>
        <Fact name="Duration">{formatDuration(summary.durationMs)}</Fact>
        <Fact name="Events">
          <span data-testid="event-count">{summary.eventCount}</span> (last seq {summary.lastSeq})
        </Fact>
        {summary.missingSeqs.length > 0 ? <Fact name="Missing seqs">{summary.missingSeqs.join(', ')}</Fact> : null}
        {summary.usage === null ? null : <Fact name="Usage">{Object.entries(summary.usage).map(([name, value]) => `${name} ${String(value)}`).join(', ')}</Fact>}
      </dl>
      {summary.error === null ? null : (
        <div className="error" role="status">
          <strong>Error:</strong> {summary.error.message}
          {summary.error.type === undefined ? null : ` (${summary.error.type})`}
        </div>
      )}
      {summary.result === null || summary.result === undefined ? null : <JsonView value={summary.result} summary="Result" />}
    </section>
  );
}

function Fact({ name, children }: { readonly name: string; readonly children: React.ReactNode }) {
  return (
    <div>
      <dt>{name}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function RunError({ error, runId, shared }: { readonly error: Error; readonly runId: string; readonly shared: boolean }) {
  const status = error instanceof ApiError ? error.status : undefined;
  const message =
    shared && status === 401
      ? 'This share link has expired or is not valid. Ask whoever shared it for a new link.'
      : shared && status === 403
        ? 'This share link does not open that run.'
        : status === 404
          ? `There is no run "${runId}" for this key.`
          : error.message;
  return (
    <p role="alert" className="error">
      {message}
    </p>
  );
}
