import { MemoryEventStore } from '#adapters/memory/memory-event-store.ts';
import { systemClock, type Clock, type StoreLimits } from '#shared/ports.ts';
import { describeEventStoreContract } from '#test/contract/event-store.contract.ts';

let last: MemoryEventStore | undefined;
let lastLimits: StoreLimits = { maxEventsPerRun: 100_000, retentionDays: 30 };
let lastClock: Clock = systemClock;
let lastLease: number | undefined;

describeEventStoreContract('in-memory', {
  make: ({ maxEventsPerRun = 100_000, clock = systemClock, claimLeaseSeconds, wrapStorage } = {}) => {
    lastLimits = { maxEventsPerRun, retentionDays: 30 };
    lastClock = clock;
    lastLease = claimLeaseSeconds;
    last = new MemoryEventStore({ clock, limits: lastLimits, ...(claimLeaseSeconds === undefined ? {} : { claimLeaseSeconds }), ...(wrapStorage === undefined ? {} : { wrapStorage }) });
    return Promise.resolve(last);
  },
  // Peers share the tables but nothing else (no grouping of their appends), like other processes.
  peers: (count, wrapStorage) => {
    const tables = last?.tables;
    return Array.from(
      { length: count },
      () =>
        new MemoryEventStore({
          clock: lastClock,
          limits: lastLimits,
          ...(lastLease === undefined ? {} : { claimLeaseSeconds: lastLease }),
          ...(tables === undefined ? {} : { tables }),
          ...(wrapStorage === undefined ? {} : { wrapStorage }),
        }),
    );
  },
});
