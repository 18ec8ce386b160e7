import { MemoryEventStore } from '#adapters/memory/memory-event-store.ts';
import { systemClock } from '#shared/ports.ts';
import { describeEventStoreContract } from '#test/contract/event-store.contract.ts';

let last: MemoryEventStore | undefined;

describeEventStoreContract('in-memory', {
  make: ({ maxEventsPerRun = 100_000, clock = systemClock } = {}) => {
    last = new MemoryEventStore({ clock, limits: { maxEventsPerRun, retentionDays: 30 } });
    return Promise.resolve(last);
  },
  // One process, one store: its peers are itself.
  peers: (count) => Array.from({ length: count }, () => last ?? new MemoryEventStore({ clock: systemClock, limits: { maxEventsPerRun: 100_000, retentionDays: 30 } })),
});
