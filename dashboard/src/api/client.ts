import type * as z from 'zod/mini';
import type { EventRow } from '../view/event-window.ts';
import {
  ErrorBodySchema,
  EventPageSchema,
  RunListSchema,
  RunSummarySchema,
  ShareLinkSchema,
  StatsSchema,
  StoredEventSchema,
  TaskListSchema,
  type RunSummary,
  type TaskView,
} from './schemas.ts';

/** An answer that was not the one asked for: its status and the contract's error code and message. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** How the app reaches the API: its base URL ('' for the same origin) and the credential it sends. */
export type Credential = { readonly kind: 'key' | 'share'; readonly value: string };

/**
 * The public HTTP API, typed and checked at the edge with the contract's schemas. Every call sends
 * `Authorization: Bearer` (an API key, or a share token, which reads one run only).
 */
export function makeApiClient(baseUrl: string, credential: Credential, doFetch: typeof fetch = fetch.bind(globalThis)) {
  const headers = { authorization: `Bearer ${credential.value}` };
  const url = (path: string) => `${baseUrl.replace(/\/$/, '')}${path}`;
  async function get<T extends z.ZodMiniType>(path: string, schema: T, post?: { readonly body: unknown }): Promise<z.infer<T>> {
    const init: RequestInit =
      post === undefined ? { headers, cache: 'no-store' } : { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(post.body), cache: 'no-store' };
    const response = await doFetch(url(path), init);
    const body: unknown = await response.json().catch(() => undefined);
    if (!response.ok) throw errorOf(response.status, body);
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw new ApiError(response.status, 'unexpected_answer', `the API answered ${path} in an unexpected shape`);
    return parsed.data;
  }
  const run = (runId: string) => `/v1/runs/${encodeURIComponent(runId)}`;
  return {
    credential,
    stats: () => get('/v1/stats', StatsSchema),
    listRuns: (query: { status?: string; threadId?: string; cursor?: string; limit?: number }) => {
      const params = new URLSearchParams();
      for (const [name, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(name, String(value));
      return get(`/v1/runs?${params.toString()}`, RunListSchema);
    },
    getRun: (runId: string): Promise<RunSummary> => get(run(runId), RunSummarySchema),
    listTasks: async (runId: string): Promise<TaskView[]> => (await get(`${run(runId)}/tasks`, TaskListSchema)).tasks,
    listEvents: async (runId: string, afterSeq: number, limit: number): Promise<{ events: EventRow[]; nextAfterSeq: number | null }> =>
      get(`${run(runId)}/events?afterSeq=${afterSeq}&limit=${limit}`, EventPageSchema),
    share: (runId: string, expiresInSeconds: number) => get(`${run(runId)}/share`, ShareLinkSchema, { body: { expiresInSeconds } }),
    streamUrl: (runId: string) => () => url(`${run(runId)}/stream`),
    headers,
    parseEvent: (data: unknown): EventRow | undefined => {
      const parsed = StoredEventSchema.safeParse(data);
      return parsed.success ? parsed.data : undefined;
    },
  };
}

export type ApiClient = ReturnType<typeof makeApiClient>;

function errorOf(status: number, body: unknown): ApiError {
  const parsed = ErrorBodySchema.safeParse(body);
  if (parsed.success) return new ApiError(status, parsed.data.error.code, parsed.data.error.message);
  return new ApiError(status, 'http_error', `the API answered ${status}`);
}
