import { z } from 'zod';
import { refusedKeyHint, type Connection } from './connection.ts';

/** Ordinary requests give up after this; streams have their own idle timeout (see `tail`). */
const REQUEST_TIMEOUT_MS = 30_000;

const ErrorBodySchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

/** runledger answered with the contract's error shape (or something that is not JSON at all). */
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

/** Nothing answered at the URL: the one failure a user fixes by starting the stack. */
export class UnreachableError extends Error {
  override readonly name = 'UnreachableError';
}

export type QueryParams = Record<string, string | number | undefined>;

/**
 * The CLI's HTTP client: JSON over fetch with the bearer key, the contract's error shape turned into
 * ApiError and a refused connection into UnreachableError. Answers are parsed by the caller's zod
 * schema: whatever comes over the wire is checked before it is printed.
 */
export class RunledgerClient {
  readonly url: string;
  readonly #apiKey: string | undefined;
  readonly #connection: Connection;

  constructor(connection: Connection) {
    this.url = connection.url;
    this.#apiKey = connection.apiKey;
    this.#connection = connection;
  }

  async get<T>(path: string, schema: z.core.$ZodType<T>, query: QueryParams = {}): Promise<T> {
    const response = await this.#fetch(this.#address(path, query), { headers: this.#headers() });
    return parseAnswer(schema, await readJson(response, { okOnly: true }), path);
  }

  /**
   * POSTs JSON. Ingest answers per event even when none was stored (400 / 409 with `results`), so
   * the status comes back with the body; only request-level errors (no `results`) throw.
   */
  async post<T>(path: string, body: unknown, schema: z.core.$ZodType<T>): Promise<{ status: number; body: T }> {
    const response = await this.#fetch(this.#address(path, {}), {
      method: 'POST',
      headers: { ...this.#headers(), 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = await readJson(response, { okOnly: false });
    return { status: response.status, body: parseAnswer(schema, json, path) };
  }

  /** Opens a Server-Sent Events stream; the caller reads `response.body` and aborts with `signal`. */
  async openStream(path: string, query: QueryParams, headers: Record<string, string>, signal: AbortSignal): Promise<Response> {
    const response = await this.#fetch(this.#address(path, query), { headers: { ...this.#headers(), accept: 'text/event-stream', ...headers }, signal }, false);
    if (!response.ok) await readJson(response, { okOnly: true });
    return response;
  }

  #headers(): Record<string, string> {
    return this.#apiKey === undefined ? {} : { authorization: `Bearer ${this.#apiKey}` };
  }

  #address(path: string, query: QueryParams): string {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) if (value !== undefined) search.set(name, String(value));
    const suffix = search.size === 0 ? '' : `?${search.toString()}`;
    return `${this.url}${path}${suffix}`;
  }

  async #fetch(address: string, init: RequestInit, timeout = true): Promise<Response> {
    try {
      const response = await fetch(address, timeout ? { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) } : init);
      if (response.status === 401) {
        await response.body?.cancel();
        if (this.#apiKey === undefined) throw new ApiError(401, 'unauthorized', 'no API key: pass --key or set RUNLEDGER_API_KEY (`npm start` prints one)');
        throw new ApiError(401, 'unauthorized', refusedKeyHint(this.#connection));
      }
      return response;
    } catch (error: unknown) {
      if (error instanceof ApiError || (error instanceof Error && error.name === 'AbortError')) throw error;
      if (error instanceof Error && error.name === 'TimeoutError') throw new UnreachableError(`runledger at ${this.url} did not answer within ${REQUEST_TIMEOUT_MS / 1000} s`, { cause: error });
      throw new UnreachableError(`cannot reach runledger at ${this.url}: is \`npm start\` running?${causeCode(error)}`, { cause: error });
    }
  }
}

/** A path segment from user input (a runId): escaped so it cannot step into another route. */
export function segment(value: string): string {
  return encodeURIComponent(value);
}

async function readJson(response: Response, options: { okOnly: boolean }): Promise<unknown> {
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ApiError(response.status, 'not_json', `runledger answered ${response.status} with something that is not JSON: ${text.slice(0, 120)}`);
  }
  if (response.ok && options.okOnly) return body;
  const error = ErrorBodySchema.safeParse(body);
  if (error.success) throw new ApiError(response.status, error.data.error.code, `${error.data.error.message} (${response.status})`);
  if (!response.ok && options.okOnly) throw new ApiError(response.status, 'http_error', `runledger answered ${response.status}`);
  return body;
}

function parseAnswer<T>(schema: z.core.$ZodType<T>, body: unknown, path: string): T {
  // The contract's schemas are zod/mini's (shared/contract/ids.ts): the top-level safeParse takes either API's.
  const parsed = z.safeParse(schema, body);
  if (!parsed.success) throw new ApiError(200, 'unexpected_answer', `unexpected answer from ${path}: ${parsed.error.issues[0]?.message ?? 'wrong shape'}`);
  return parsed.data;
}

function causeCode(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  return cause instanceof Error && 'code' in cause && typeof cause.code === 'string' ? ` (${cause.code})` : '';
}
