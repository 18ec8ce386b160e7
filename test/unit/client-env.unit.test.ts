import { afterEach, describe, expect, it, vi } from 'vitest';
import { MissingApiKeyError, RunReporter } from '#client/index.ts';
import { readEnv } from '#client/client-env.ts';
import { fakeIngest } from '#test/support/fake-ingest.ts';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.unstubAllGlobals();
});

/** A reporter that sends one event through a fetch that records where it went and with which key. */
async function sendOne(options: { baseUrl?: string; apiKey?: string }): Promise<{ url: string; authorization: string | null }> {
  const ingest = fakeIngest();
  const seen: Array<{ url: string; authorization: string | null }> = [];
  const fetch: typeof globalThis.fetch = (input, init) => {
    seen.push({ url: typeof input === 'string' ? input : input instanceof URL ? input.href : input.url, authorization: new Headers(init?.headers).get('authorization') });
    return ingest.fetch(input, init);
  };
  const reporter = new RunReporter({ ...options, runId: 'env-run', fetch });
  reporter.started();
  await reporter.close();
  const [first] = seen;
  if (first === undefined) throw new Error('the reporter sent nothing');
  return first;
}

describe('the client without baseUrl or apiKey', () => {
  it('sends to RUNLEDGER_URL with RUNLEDGER_API_KEY when the environment has them', async () => {
    vi.stubEnv('RUNLEDGER_URL', 'https://runledger.example/prod/');
    vi.stubEnv('RUNLEDGER_API_KEY', 'env-key');
    expect(await sendOne({})).toEqual({ url: 'https://runledger.example/prod/v1/events', authorization: 'Bearer env-key' });
  });

  it('prefers the options it is given over the environment', async () => {
    vi.stubEnv('RUNLEDGER_URL', 'https://runledger.example');
    vi.stubEnv('RUNLEDGER_API_KEY', 'env-key');
    expect(await sendOne({ baseUrl: 'http://127.0.0.1:9999', apiKey: 'own-key' })).toEqual({ url: 'http://127.0.0.1:9999/v1/events', authorization: 'Bearer own-key' });
  });

  it('defaults the URL to the local stack, as the CLI does', async () => {
    vi.stubEnv('RUNLEDGER_URL', '');
    vi.stubEnv('RUNLEDGER_API_KEY', 'env-key');
    expect((await sendOne({})).url).toBe('http://127.0.0.1:3000/v1/events');
  });

  it('throws MissingApiKeyError at construction when there is no key at all, instead of sending requests that get 401', () => {
    vi.stubEnv('RUNLEDGER_API_KEY', '');
    expect(() => new RunReporter({ runId: 'no-key' })).toThrow(MissingApiKeyError);
  });
});

describe('readEnv where there is no Node environment', () => {
  it('finds nothing in a browser, where there is no process', () => {
    vi.stubGlobal('process', undefined);
    const value = readEnv('RUNLEDGER_URL');
    vi.unstubAllGlobals();
    expect(value).toBeUndefined();
  });

  it('finds nothing, without throwing, where reading the environment is denied (Deno without --allow-env)', () => {
    vi.stubGlobal('process', {
      get env(): never {
        throw new Error('NotCapable: Requires env access');
      },
    });
    const read = () => readEnv('RUNLEDGER_URL');
    let value: string | undefined = 'unread';
    let thrown: unknown;
    try {
      value = read();
    } catch (error: unknown) {
      thrown = error;
    }
    vi.unstubAllGlobals();
    expect(thrown).toBeUndefined();
    expect(value).toBeUndefined();
  });
});
