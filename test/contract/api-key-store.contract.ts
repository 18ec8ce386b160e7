import { describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey } from '#shared/auth/api-keys.ts';
import type { ApiKeyStore } from '#shared/ports.ts';
import { uniqueId } from '#test/support/events.ts';

/**
 * What every ApiKeyStore adapter must do. `make` gives a store of its own (listing is
 * store-wide, so tests do not share one).
 */
export function describeApiKeyStoreContract(name: string, make: () => Promise<ApiKeyStore>): void {
  describe(`ApiKeyStore contract: ${name}`, () => {
    it('finds a saved key by its hash with its tenant, scope and expiry (to the second), and nothing for an unknown hash', async () => {
      const store = await make();
      const key = generateApiKey();
      const tenant = uniqueId('t');
      await store.saveKey(hashApiKey(key), { tenant, scope: 'read', expiresAt: new Date('2027-03-01T10:00:00.750Z') });
      expect(await store.findKey(hashApiKey(key))).toEqual({ tenant, scope: 'read', expiresAt: new Date('2027-03-01T10:00:00Z') });
      expect(await store.findKey(hashApiKey(generateApiKey()))).toBeUndefined();
    });

    it('keeps a key without an expiry forever', async () => {
      const store = await make();
      const key = generateApiKey();
      await store.saveKey(hashApiKey(key), { tenant: 'acme', scope: 'write' });
      expect(await store.findKey(hashApiKey(key))).toEqual({ tenant: 'acme', scope: 'write' });
    });

    it('holds several keys of one tenant at once; revoking one by its id leaves the other working', async () => {
      const store = await make();
      const [first, second] = [generateApiKey(), generateApiKey()];
      const old = await store.saveKey(hashApiKey(first), { tenant: 'acme', scope: 'write' });
      await store.saveKey(hashApiKey(second), { tenant: 'acme', scope: 'write' });
      expect((await store.listKeys()).filter((record) => record.tenant === 'acme')).toHaveLength(2);

      expect(await store.revokeKey(old.keyId)).toBe(true);
      expect(await store.findKey(hashApiKey(first))).toBeUndefined();
      expect(await store.findKey(hashApiKey(second))).toEqual({ tenant: 'acme', scope: 'write' });
      expect(await store.revokeKey(old.keyId)).toBe(false);
    });

    it('lists keys by id with scope and expiry, never the key or its whole hash', async () => {
      const store = await make();
      const key = generateApiKey();
      const saved = await store.saveKey(hashApiKey(key), { tenant: 'acme', scope: 'read', expiresAt: new Date('2027-03-01T10:00:00Z') });
      expect(saved.keyId).toBe(hashApiKey(key).slice(0, 12));
      const listed = await store.listKeys();
      expect(listed).toEqual([{ keyId: saved.keyId, tenant: 'acme', scope: 'read', expiresAt: new Date('2027-03-01T10:00:00Z'), createdAt: saved.createdAt }]);
      expect(JSON.stringify(listed)).not.toContain(hashApiKey(key));
    });
  });
}
