import { describe, expect, it } from 'vitest';
import type { FailedPublish, FailedPublishStore } from '#shared/ports.ts';

const failure = (runId: string, seqs: number[]): FailedPublish => ({ tenant: 'acme', runId, seqs, types: ['run.failed'], reason: 'throttled', failedAt: '2026-11-23T10:00:00.000Z' });

/** What every FailedPublishStore adapter must do; `make` gives an empty store. */
export function describeFailedPublishStoreContract(name: string, make: () => Promise<FailedPublishStore>): void {
  describe(`FailedPublishStore contract: ${name}`, () => {
    it('gives back what was recorded, field for field', async () => {
      const store = await make();
      await store.record([failure('r-1', [1, 2, 5]), failure('r-2', [7])]);
      expect(await store.count()).toBe(2);
      const kept = await store.receive(10);
      expect(kept.map((entry) => entry.failure).sort((a, b) => a.runId.localeCompare(b.runId))).toEqual([failure('r-1', [1, 2, 5]), failure('r-2', [7])]);
    });

    it('hands each failure out once per pass, and no more than asked', async () => {
      const store = await make();
      await store.record([failure('a', [1]), failure('b', [1]), failure('c', [1])]);
      const first = await store.receive(2);
      const second = await store.receive(2);
      expect(first).toHaveLength(2);
      expect(second.map((entry) => entry.failure.runId)).not.toContain(first[0]?.failure.runId);
      expect(first.length + second.length).toBe(3);
    });

    it('hands a released failure out again, still kept', async () => {
      const store = await make();
      await store.record([failure('a', [1]), failure('b', [2])]);
      const first = await store.receive(10);
      expect(await store.receive(10)).toEqual([]);
      const [released] = first;
      if (released === undefined) throw new Error('nothing received');
      await store.release(released.handle);
      const again = await store.receive(10);
      expect(again.map((entry) => entry.failure)).toEqual([released.failure]);
      expect(await store.count()).toBe(2);
    });

    it('forgets a failure only when it is removed', async () => {
      const store = await make();
      await store.record([failure('a', [1]), failure('b', [2])]);
      const [kept] = await store.receive(1);
      if (kept === undefined) throw new Error('nothing received');
      await store.remove(kept.handle);
      expect(await store.count()).toBe(1);
    });
  });
}
