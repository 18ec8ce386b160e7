import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runningStack } from '#local/stack-file.ts';

export const DEFAULT_URL = 'http://127.0.0.1:3000';

/** Where the API key came from, so that a refused key can be traced to its source. */
export type KeySource = { readonly kind: 'flag' } | { readonly kind: 'env' } | { readonly kind: 'dev-key-file'; readonly path: string };

export type Connection = {
  readonly url: string;
  readonly apiKey: string | undefined;
  /** Undefined when there is no key, or the caller made the connection by hand. */
  readonly keySource?: KeySource | undefined;
  /** The data dir's development key file, when it exists: the key a refused stale key should have been. */
  readonly devKeyFile?: string | undefined;
};

/**
 * Where runledger is and which key to use: flags first, then RUNLEDGER_URL / RUNLEDGER_API_KEY,
 * then the running local stack's URL (its data dir's stack.json, whatever PORT it took) and the
 * development key `npm start` keeps in its data dir, so that on a laptop running the local
 * stack nothing has to be set at all.
 */
export function resolveConnection(env: NodeJS.ProcessEnv, flags: { url?: string | undefined; key?: string | undefined } = {}): Connection {
  const url = (flags.url ?? nonEmpty(env.RUNLEDGER_URL) ?? runningStack(env.RUNLEDGER_DATA_DIR ?? '.runledger')?.url ?? DEFAULT_URL).replace(/\/+$/, '');
  const devKeyFile = join(env.RUNLEDGER_DATA_DIR ?? '.runledger', 'dev-api-key');
  const devKey = existsSync(devKeyFile) ? nonEmpty(readFileSync(devKeyFile, 'utf8').trim()) : undefined;
  const found = devKey === undefined ? {} : { devKeyFile };
  if (flags.key !== undefined) return { url, apiKey: flags.key, keySource: { kind: 'flag' }, ...found };
  const envKey = nonEmpty(env.RUNLEDGER_API_KEY);
  if (envKey !== undefined) return { url, apiKey: envKey, keySource: { kind: 'env' }, ...found };
  if (devKey !== undefined) return { url, apiKey: devKey, keySource: { kind: 'dev-key-file', path: devKeyFile }, ...found };
  return { url, apiKey: undefined };
}

/**
 * Why a key was refused, naming where it came from. The usual trap: RUNLEDGER_API_KEY still exported
 * from an earlier local stack after `rm -rf .runledger`, while the new stack made a new dev key.
 */
export function refusedKeyHint(connection: Connection): string {
  const source = connection.keySource;
  const devKey = connection.devKeyFile === undefined ? '' : `; the local stack's current development key is in ${connection.devKeyFile}`;
  if (source === undefined) return `${connection.url} refused the API key (401)`;
  switch (source.kind) {
    case 'flag':
      return `${connection.url} refused the API key given with --key (401): is it a key of this stack? (runledger keys list)${devKey}`;
    case 'env':
      return (
        `${connection.url} refused the API key from RUNLEDGER_API_KEY (401): a stale export? The local stack makes a new development key ` +
        `when its data dir is new (after rm -rf .runledger)${devKey}: unset RUNLEDGER_API_KEY to use it, or export the key \`npm start\` printed`
      );
    case 'dev-key-file':
      return `${connection.url} refused the development key from ${source.path} (401): it belongs to another local stack; pass --key or set RUNLEDGER_API_KEY for this one`;
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
