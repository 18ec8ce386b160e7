import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runningStack } from '#local/stack-file.ts';

export const DEFAULT_URL = 'http://127.0.0.1:3000';

export type Connection = { readonly url: string; readonly apiKey: string | undefined };

/**
 * Where runledger is and which key to use: flags first, then RUNLEDGER_URL / RUNLEDGER_API_KEY,
 * then the running local stack's URL (its data dir's stack.json, whatever PORT it took) and the
 * development key `npm start` keeps in its data dir, so that on a laptop running the local
 * stack nothing has to be set at all.
 */
export function resolveConnection(env: NodeJS.ProcessEnv, flags: { url?: string | undefined; key?: string | undefined } = {}): Connection {
  const url = (flags.url ?? nonEmpty(env.RUNLEDGER_URL) ?? runningStack(env.RUNLEDGER_DATA_DIR ?? '.runledger')?.url ?? DEFAULT_URL).replace(/\/+$/, '');
  const apiKey = flags.key ?? nonEmpty(env.RUNLEDGER_API_KEY) ?? localDevKey(env);
  return { url, apiKey };
}

/** The key `npm start` made when it was given none (local/stack.ts keeps it in the data dir). */
function localDevKey(env: NodeJS.ProcessEnv): string | undefined {
  const file = join(env.RUNLEDGER_DATA_DIR ?? '.runledger', 'dev-api-key');
  if (!existsSync(file)) return undefined;
  return nonEmpty(readFileSync(file, 'utf8').trim());
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
