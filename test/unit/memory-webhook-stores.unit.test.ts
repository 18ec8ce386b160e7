import { MemoryDeliveryLedger } from '#adapters/memory/memory-delivery-ledger.ts';
import { MemorySubscriptionStore } from '#adapters/memory/memory-subscription-store.ts';
import { describeDeliveryLedgerContract } from '#test/contract/delivery-ledger.contract.ts';
import { describeReplayLedgerContract } from '#test/contract/replay-ledger.contract.ts';
import { describeSubscriptionStoreContract } from '#test/contract/subscription-store.contract.ts';

describeSubscriptionStoreContract('memory', () => Promise.resolve(new MemorySubscriptionStore()));
describeDeliveryLedgerContract('memory', () => Promise.resolve(new MemoryDeliveryLedger()));
describeReplayLedgerContract('memory', () => Promise.resolve(new MemoryDeliveryLedger()));
