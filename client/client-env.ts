/**
 * Where the client finds runledger when the caller does not say: `RUNLEDGER_URL` and
 * `RUNLEDGER_API_KEY`, as the CLI reads them. The client runs in browsers and Deno as well as Node
 * and Bun, so the environment is looked up only where there is one, and never through `node:`.
 */

/** The local stack's address, the CLI's default too. */
export const DEFAULT_BASE_URL = 'http://127.0.0.1:3000';

/** Neither `apiKey` nor `RUNLEDGER_API_KEY` was given: every request would be refused with 401. */
export class MissingApiKeyError extends Error {
  override readonly name = 'MissingApiKeyError';
  constructor() {
    super('no API key: pass apiKey, or set RUNLEDGER_API_KEY where the client runs (`npm start` prints a development key)');
  }
}

/** `name` from `process.env` (Node, Bun, Deno with --allow-env); undefined where there is no environment or it is empty. */
export function readEnv(name: string): string | undefined {
  let value: unknown;
  try {
    const proc: unknown = Reflect.get(globalThis, 'process');
    const env: unknown = typeof proc === 'object' && proc !== null ? Reflect.get(proc, 'env') : undefined;
    value = typeof env === 'object' && env !== null ? Reflect.get(env, name) : undefined;
  } catch {
    // Deno throws when env access was not granted: for the client that is the same as a browser, no environment.
    return undefined;
  }
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The base URL and key to use: the options first, then the environment, then (URL only) the local stack. */
export function resolveClientConnection(options: { baseUrl?: string | undefined; apiKey?: string | undefined }): { baseUrl: string; apiKey: string } {
  const baseUrl = options.baseUrl ?? readEnv('RUNLEDGER_URL') ?? DEFAULT_BASE_URL;
  const apiKey = options.apiKey ?? readEnv('RUNLEDGER_API_KEY');
  if (apiKey === undefined || apiKey === '') throw new MissingApiKeyError();
  return { baseUrl, apiKey };
}
