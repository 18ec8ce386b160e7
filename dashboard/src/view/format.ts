/** `1.2 s`, `3 min 4 s`, `2 h 5 min`: a duration as an operator reads it. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes} min ${Math.floor((ms % 60_000) / 1000)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** A timestamp in the viewer's time zone, to the second; the ISO text when it does not parse. */
export function formatTime(iso: string | null | undefined, locale?: string): string {
  if (iso === null || iso === undefined) return '—';
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return iso;
  return new Date(ms).toLocaleString(locale, { year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** A one-line summary of a payload for the events list: the fields people look for first. */
export function payloadSummary(type: string, payload: Readonly<Record<string, unknown>> | undefined): string {
  if (payload === undefined) return '';
  const text = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));
  if (type === 'run.progress' && typeof payload.progress === 'number') return `${Math.round(payload.progress * 100)}%${payload.message === undefined ? '' : ` ${text(payload.message)}`}`;
  if (type === 'token' && typeof payload.text === 'string') return payload.text;
  const error = payload.error;
  if (typeof error === 'object' && error !== null && 'message' in error) return `error: ${text(error.message)}`;
  const parts = ['taskId', 'name', 'message', 'reason', 'status', 'content']
    .filter((key) => payload[key] !== undefined)
    .map((key) => `${key}=${text(payload[key])}`);
  const summary = parts.length > 0 ? parts.join(' ') : JSON.stringify(payload);
  return summary.length > 160 ? `${summary.slice(0, 157)}...` : summary;
}

/** Terminal run statuses: a run in one of them will not change, so nothing needs to stay live. */
export function isTerminal(status: string): boolean {
  return status === 'completed' || status === 'failed' || status === 'cancelled' || status === 'timed_out';
}
