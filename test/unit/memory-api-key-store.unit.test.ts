import { MemoryApiKeyStore } from '#adapters/memory/memory-api-key-store.ts';
import { describeApiKeyStoreContract } from '#test/contract/api-key-store.contract.ts';

describeApiKeyStoreContract('memory', () => Promise.resolve(new MemoryApiKeyStore()));
