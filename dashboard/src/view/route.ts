/** What the address's fragment asks for: `#/` the runs, `#/runs/ID` a run, `?token=` a share link. */
export type AppRoute = { readonly view: 'runs' } | { readonly view: 'run'; readonly runId: string };

export type Location = { readonly route: AppRoute; readonly shareToken: string | undefined; readonly query: URLSearchParams };

/**
 * The app routes in the fragment: it is never sent to a server, so a share token in it stays out
 * of CDN and access logs, and the static host needs no rewrite rules.
 */
export function parseLocation(hash: string): Location {
  const text = hash.replace(/^#/, '');
  const queryAt = text.indexOf('?');
  const path = queryAt < 0 ? text : text.slice(0, queryAt);
  const query = new URLSearchParams(queryAt < 0 ? '' : text.slice(queryAt + 1));
  const token = query.get('token') ?? undefined;
  const match = /^\/runs\/([^/]+)\/?$/.exec(path);
  let runId: string | undefined;
  try {
    runId = match?.[1] === undefined ? undefined : decodeURIComponent(match[1]);
  } catch {
    runId = undefined;
  }
  return { route: runId === undefined ? { view: 'runs' } : { view: 'run', runId }, shareToken: token === '' ? undefined : token, query };
}

export function runHref(runId: string, shareToken?: string): string {
  return `#/runs/${encodeURIComponent(runId)}${shareToken === undefined ? '' : `?token=${encodeURIComponent(shareToken)}`}`;
}

export function runsHref(filters: { readonly status?: string; readonly threadId?: string } = {}): string {
  const query = new URLSearchParams();
  if (filters.status !== undefined && filters.status !== '') query.set('status', filters.status);
  if (filters.threadId !== undefined && filters.threadId !== '') query.set('threadId', filters.threadId);
  const text = query.toString();
  return `#/${text === '' ? '' : `?${text}`}`;
}
