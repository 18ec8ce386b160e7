import type { FailedPublish, FailedPublishStore, KeptFailedPublish } from '#shared/ports.ts';

/** Relay failures in memory, with the port's contract: handed out once per pass, removed on demand. */
export function memoryFailedPublishes(options: { failRecord?: boolean } = {}): FailedPublishStore & { kept: Map<string, FailedPublish> } {
  const kept = new Map<string, FailedPublish>();
  const handedOut = new Set<string>();
  let next = 0;
  return {
    kept,
    record: (failures) => {
      if (options.failRecord === true) return Promise.reject(new Error('queue unavailable'));
      for (const failure of failures) kept.set(`f${++next}`, failure);
      return Promise.resolve();
    },
    receive: (max) => {
      const batch: KeptFailedPublish[] = [...kept].filter(([handle]) => !handedOut.has(handle)).slice(0, max).map(([handle, failure]) => ({ handle, failure }));
      for (const { handle } of batch) handedOut.add(handle);
      return Promise.resolve(batch);
    },
    remove: (handle) => Promise.resolve(void kept.delete(handle)),
    release: (handle) => Promise.resolve(void handedOut.delete(handle)),
    count: () => Promise.resolve(kept.size),
  };
}
