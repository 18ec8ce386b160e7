import { createHash, randomBytes } from 'node:crypto';
import { TenantIdSchema } from '../contract/ids.ts';
import { KEY_DEFAULTS } from '../defaults.ts';
import type { ApiKeyGrant, ApiKeyStore } from '../ports.ts';

/**
 * API keys are 256 random bits, so one fast SHA-256 is a safe way to store them (a slow password
 * hash only matters for guessable secrets).
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function generateApiKey(prefix = 'rl'): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

/**
 * `Authorization: Bearer <key>`, the scheme in any case (RFC 9110 makes auth schemes
 * case-insensitive). One pattern for both doors: API Gateway's TOKEN authorizer validation regex
 * (Java syntax, the same here) and the function, so neither refuses what the other accepts.
 */
export const BEARER_PATTERN = String.raw`^[Bb][Ee][Aa][Rr][Ee][Rr]\s+(\S{1,512})\s*$`;
const BEARER = new RegExp(BEARER_PATTERN);

/** `Authorization: Bearer <key>` -> the key, or undefined when the header is missing or malformed. */
export function bearerToken(authorization: string | undefined): string | undefined {
  return BEARER.exec(authorization ?? '')?.[1];
}

/** Parses `tenant:key,tenant:key` (RUNLEDGER_API_KEYS), failing with the bad entry named. */
export function parseApiKeyList(list: string): Array<{ tenant: string; key: string }> {
  return list
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => {
      const separator = entry.indexOf(':');
      const tenant = entry.slice(0, separator);
      const key = entry.slice(separator + 1);
      if (separator < 1 || key.length < 8 || !TenantIdSchema.safeParse(tenant).success) {
        throw new Error(`RUNLEDGER_API_KEYS: '${entry.slice(0, 24)}...' must be tenant:key, the tenant 1-64 of [A-Za-z0-9._-], the key at least 8 characters`);
      }
      return { tenant, key };
    });
}

/** A key's grant, or why it was refused (for the log; callers are told 401 either way). */
export type Authentication = { readonly grant: ApiKeyGrant } | { readonly refused: 'unknown key' | 'expired key' };

/**
 * Resolves keys to grants, remembering answers for `ttlMs` so a hot key costs no read per request.
 * The cache is short because a revoked key works until it lapses; expiry is judged on every call,
 * cached or not, so an expired key is refused at once.
 */
export function makeAuthenticate({ keys, ttlMs = KEY_DEFAULTS.keyCacheSeconds * 1000, now = Date.now }: { keys: ApiKeyStore; ttlMs?: number; now?: () => number }) {
  const cache = new Map<string, { grant: ApiKeyGrant | undefined; until: number }>();
  return async function authenticate(key: string): Promise<Authentication> {
    const keyHash = hashApiKey(key);
    const cached = cache.get(keyHash);
    let grant: ApiKeyGrant | undefined;
    if (cached !== undefined && cached.until > now()) grant = cached.grant;
    else {
      grant = await keys.findKey(keyHash);
      if (ttlMs > 0) {
        if (cache.size > 10_000) cache.clear();
        cache.set(keyHash, { grant, until: now() + ttlMs });
      }
    }
    if (grant === undefined) return { refused: 'unknown key' };
    if (grant.expiresAt !== undefined && grant.expiresAt.getTime() <= now()) return { refused: 'expired key' };
    return { grant };
  };
}
