import { systemClock, type ApiKeyGrant, type ApiKeyRecord, type ApiKeyStore, type Clock } from '#shared/ports.ts';

/** The id shown for a key: the first 12 hex digits of its hash, as the DynamoDB adapter shows it. */
const keyIdOf = (keyHash: string) => keyHash.slice(0, 12);

/**
 * API keys in a Map, for unit tests of the authorizer and anything else that needs a key store
 * without DynamoDB. Expiry is stored to the second, as the DynamoDB adapter stores it (its TTL
 * attribute is epoch seconds), so both answer the same.
 */
export class MemoryApiKeyStore implements ApiKeyStore {
  readonly #keys = new Map<string, ApiKeyRecord>();
  readonly #clock: Clock;

  constructor(options: { clock?: Clock } = {}) {
    this.#clock = options.clock ?? systemClock;
  }

  findKey(keyHash: string): Promise<ApiKeyGrant | undefined> {
    const record = this.#keys.get(keyHash);
    return Promise.resolve(record === undefined ? undefined : grantOf(record));
  }

  saveKey(keyHash: string, grant: ApiKeyGrant): Promise<ApiKeyRecord> {
    const expiresAt = grant.expiresAt === undefined ? {} : { expiresAt: new Date(Math.floor(grant.expiresAt.getTime() / 1000) * 1000) };
    const record: ApiKeyRecord = { keyId: keyIdOf(keyHash), createdAt: this.#clock.now().toISOString(), tenant: grant.tenant, scope: grant.scope, ...expiresAt };
    this.#keys.set(keyHash, record);
    return Promise.resolve(record);
  }

  listKeys(): Promise<ApiKeyRecord[]> {
    return Promise.resolve([...this.#keys.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt)));
  }

  revokeKey(keyId: string): Promise<boolean> {
    const hashes = [...this.#keys.keys()].filter((keyHash) => keyHash.startsWith(keyId));
    for (const keyHash of hashes) this.#keys.delete(keyHash);
    return Promise.resolve(hashes.length > 0);
  }
}

function grantOf({ tenant, scope, expiresAt }: ApiKeyRecord): ApiKeyGrant {
  return { tenant, scope, ...(expiresAt === undefined ? {} : { expiresAt }) };
}
