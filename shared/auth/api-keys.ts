import { createHash, randomBytes } from 'node:crypto';
import { TenantIdSchema } from '../contract/ids.ts';
import type { ApiKeyStore } from '../ports.ts';

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

/** `Authorization: Bearer <key>` -> the key, or undefined when the header is missing or malformed. */
export function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S{1,512})\s*$/i.exec(authorization ?? '');
  return match?.[1];
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

/** Resolves keys to tenants, remembering answers briefly so a hot key costs no read per request. */
export function makeAuthenticate({ keys, ttlMs = 60_000, now = Date.now }: { keys: ApiKeyStore; ttlMs?: number; now?: () => number }) {
  const cache = new Map<string, { tenant: string | undefined; until: number }>();
  return async function authenticate(key: string): Promise<string | undefined> {
    const keyHash = hashApiKey(key);
    const cached = cache.get(keyHash);
    if (cached !== undefined && cached.until > now()) return cached.tenant;
    const tenant = await keys.findTenant(keyHash);
    if (cache.size > 10_000) cache.clear();
    cache.set(keyHash, { tenant, until: now() + ttlMs });
    return tenant;
  };
}
