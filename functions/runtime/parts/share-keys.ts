import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod/mini';
import { parseShareKeyRing, type ShareKeyRing } from '#shared/auth/share-tokens.ts';
import { ConfigError } from '../config.ts';
import { part, requireClient, type Root } from '../compose.ts';

/** How long a function keeps the keys read from Secrets Manager: a rotation takes hold within this. */
const SECRET_REFRESH_MS = 5 * 60_000;

/**
 * The share-link signing keys: given in RUNLEDGER_SHARE_SIGNING_KEYS (the local stack), or read from
 * the Secrets Manager secret RUNLEDGER_SHARE_KEYS_SECRET_ARN names (AWS) and read again every 5
 * minutes, so `current`/`previous` rotate without a deploy (docs/dashboard.md). Undefined when
 * neither is set: share links are then off (the route answers 404 for them, the authorizer refuses tokens).
 */
export const shareKeysOf = /* @__PURE__ */ part((root: Root): (() => Promise<ShareKeyRing>) | undefined => {
  const { config } = root;
  if (config.RUNLEDGER_SHARE_SIGNING_KEYS !== undefined) {
    const ring = parseRing(config.RUNLEDGER_SHARE_SIGNING_KEYS, 'RUNLEDGER_SHARE_SIGNING_KEYS');
    return () => Promise.resolve(ring);
  }
  const secretId = config.RUNLEDGER_SHARE_KEYS_SECRET_ARN;
  if (secretId === undefined) return undefined;
  const secrets = requireClient(root, 'secretsManager', 'share links (RUNLEDGER_SHARE_KEYS_SECRET_ARN)');
  let cached: { ring: Promise<ShareKeyRing>; until: number } | undefined;
  return () => {
    const now = root.clock.now().getTime();
    if (cached === undefined || cached.until <= now) {
      const ring = secrets.send(new GetSecretValueCommand({ SecretId: secretId })).then((secret) => parseSecret(secret.SecretString ?? ''));
      // A failed read is not kept: the next request tries again.
      ring.catch(() => {
        cached = undefined;
      });
      cached = { ring, until: now + SECRET_REFRESH_MS };
    }
    return cached.ring;
  };
});

function parseRing(text: string, key: string): ShareKeyRing {
  try {
    return parseShareKeyRing(text);
  } catch (error: unknown) {
    throw new ConfigError([{ key, message: error instanceof Error ? error.message : 'is not id:secret[,id:secret]' }]);
  }
}

/** The secret infra/constructs/share-link-keys.ts makes: `{"id", "secret", "previousId"?, "previousSecret"?}`. */
const ShareKeysSecretSchema = z.object({ id: z.string(), secret: z.string(), previousId: z.optional(z.string()), previousSecret: z.optional(z.string()) });

/** The secret's JSON as a key ring, checked by the same rules as RUNLEDGER_SHARE_SIGNING_KEYS. */
export function parseSecret(text: string): ShareKeyRing {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = ShareKeysSecretSchema.safeParse(json);
  if (!parsed.success) throw new ConfigError([{ key: 'RUNLEDGER_SHARE_KEYS_SECRET_ARN', message: 'the secret must be JSON {"id", "secret", "previousId"?, "previousSecret"?}' }]);
  const { id, secret, previousId, previousSecret } = parsed.data;
  const previous = previousId === undefined || previousSecret === undefined ? '' : `,${previousId}:${previousSecret}`;
  return parseRing(`${id}:${secret}${previous}`, 'RUNLEDGER_SHARE_KEYS_SECRET_ARN');
}
