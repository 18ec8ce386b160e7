import { describe, expect, it } from 'vitest';
import type { DeliveryLedger, LedgerKey, ReplayLedger, ReplayRecord } from '#shared/webhooks/ports.ts';
import { uniqueId } from '#test/support/events.ts';
import { readAllPages } from './delivery-ledger.contract.ts';

const AT = new Date('2026-11-23T10:00:00.000Z');
const LATER = new Date('2026-11-23T10:05:00.000Z');

/** A fresh tenant and run, so one table may serve every test. */
function freshRun() {
  const tenant = uniqueId('tenant');
  const runId = uniqueId('run');
  const webhook: LedgerKey = { tenant, runId, subscriber: 'sub_1', kind: 'webhook' };
  return { tenant, runId, webhook };
}

/** A replay just asked for: seqs 1..toSeq, nothing sent yet. */
function replayOf(key: LedgerKey, replayId: string, overrides: Partial<ReplayRecord> = {}): ReplayRecord {
  return { ...key, replayId, fromSeq: 1, toSeq: 40, nextSeq: 1, status: 'running', step: 0, queuedAt: AT.toISOString(), updatedAt: AT.toISOString(), ...overrides };
}

/**
 * What every ReplayLedger adapter must do, one feature a block. The replays live on the run's
 * delivery ledger (they show in its pages), so `make` gives both ports in one object; tenants and
 * runs are unique per test, so one table may serve every test.
 */
export function describeReplayLedgerContract(name: string, make: () => Promise<DeliveryLedger & ReplayLedger>): void {
  describe(`ReplayLedger contract: ${name}, start and get`, () => {
    it('gives a started replay back whole', async () => {
      const ledger = await make();
      const { webhook } = freshRun();
      const replay = replayOf(webhook, 'rpl_a1', { fromSeq: 5, toSeq: 320, nextSeq: 5 });
      await ledger.startReplay(replay);
      expect(await ledger.getReplay(webhook, 'rpl_a1')).toEqual(replay);
    });

    it('finds no replay of another run, tenant, subscriber or id', async () => {
      const ledger = await make();
      const { webhook } = freshRun();
      await ledger.startReplay(replayOf(webhook, 'rpl_a1'));
      for (const other of [{ ...webhook, runId: uniqueId('run') }, { ...webhook, tenant: uniqueId('tenant') }, { ...webhook, subscriber: 'sub_2' }]) {
        expect(await ledger.getReplay(other, 'rpl_a1')).toBeUndefined();
      }
      expect(await ledger.getReplay(webhook, 'rpl_a2')).toBeUndefined();
    });
  });

  describe(`ReplayLedger contract: ${name}, advance`, () => {
    it('moves a replay on by one slice: nextSeq, status, the step after fromStep and updatedAt; nothing else', async () => {
      const ledger = await make();
      const { webhook } = freshRun();
      await ledger.startReplay(replayOf(webhook, 'rpl_a1'));
      expect(await ledger.advanceReplay(webhook, 'rpl_a1', { fromStep: 0, nextSeq: 11, status: 'retrying', at: LATER })).toBe(true);
      expect(await ledger.getReplay(webhook, 'rpl_a1')).toEqual(replayOf(webhook, 'rpl_a1', { nextSeq: 11, status: 'retrying', step: 1, updatedAt: LATER.toISOString() }));
      expect(await ledger.advanceReplay(webhook, 'rpl_a1', { fromStep: 1, nextSeq: 41, status: 'done', at: LATER })).toBe(true);
      expect(await ledger.getReplay(webhook, 'rpl_a1')).toEqual(expect.objectContaining({ nextSeq: 41, status: 'done', step: 2 }));
    });

    it('moves it on from a step ahead of the record too (the condition is step <= fromStep)', async () => {
      const ledger = await make();
      const { webhook } = freshRun();
      await ledger.startReplay(replayOf(webhook, 'rpl_a1'));
      expect(await ledger.advanceReplay(webhook, 'rpl_a1', { fromStep: 3, nextSeq: 20, status: 'running', at: LATER })).toBe(true);
      expect(await ledger.getReplay(webhook, 'rpl_a1')).toEqual(expect.objectContaining({ nextSeq: 20, step: 4 }));
    });

    it.each([0, 1])('answers false and changes nothing for a stale slice (from step %i once the replay is at step 2)', async (fromStep) => {
      const ledger = await make();
      const { webhook } = freshRun();
      await ledger.startReplay(replayOf(webhook, 'rpl_a1'));
      await ledger.advanceReplay(webhook, 'rpl_a1', { fromStep: 0, nextSeq: 11, status: 'running', at: AT });
      await ledger.advanceReplay(webhook, 'rpl_a1', { fromStep: 1, nextSeq: 21, status: 'running', at: AT });
      const before = await ledger.getReplay(webhook, 'rpl_a1');
      expect(before).toEqual(expect.objectContaining({ nextSeq: 21, step: 2 }));
      expect(await ledger.advanceReplay(webhook, 'rpl_a1', { fromStep, nextSeq: 3, status: 'cancelled', at: LATER })).toBe(false);
      expect(await ledger.getReplay(webhook, 'rpl_a1')).toEqual(before);
    });

    it('answers false for a replay that is not there, and does not create it, in a run with a ledger or without one', async () => {
      const ledger = await make();
      const { tenant, runId, webhook } = freshRun();
      const elsewhere: LedgerKey = { ...webhook, runId: uniqueId('run') };
      await ledger.startReplay(replayOf(webhook, 'rpl_a1'));
      for (const key of [webhook, elsewhere]) {
        expect(await ledger.advanceReplay(key, 'rpl_none', { fromStep: 0, nextSeq: 2, status: 'running', at: LATER })).toBe(false);
        expect(await ledger.getReplay(key, 'rpl_none')).toBeUndefined();
      }
      expect((await readAllPages(ledger, tenant, runId)).flatMap((page) => page.replays ?? [])).toEqual([replayOf(webhook, 'rpl_a1')]);
      expect((await readAllPages(ledger, tenant, elsewhere.runId)).flatMap((page) => page.replays ?? [])).toEqual([]);
    });

    it('moves nothing of another run, tenant or subscriber whose replay has the same id', async () => {
      const ledger = await make();
      const { webhook } = freshRun();
      await ledger.startReplay(replayOf(webhook, 'rpl_a1'));
      for (const other of [{ ...webhook, runId: uniqueId('run') }, { ...webhook, tenant: uniqueId('tenant') }, { ...webhook, subscriber: 'sub_2' }]) {
        expect(await ledger.advanceReplay(other, 'rpl_a1', { fromStep: 0, nextSeq: 9, status: 'done', at: LATER })).toBe(false);
      }
      expect(await ledger.getReplay(webhook, 'rpl_a1')).toEqual(replayOf(webhook, 'rpl_a1'));
    });
  });

  describe(`ReplayLedger contract: ${name}, in the run's ledger pages`, () => {
    it.each([1, 2, 100])('shows replays after the delivered and failure records, by subscriber then id, each on exactly one page, at %i records a page', async (limit) => {
      const ledger = await make();
      const { tenant, runId, webhook } = freshRun();
      const other: LedgerKey = { ...webhook, subscriber: 'sub_2' };
      await ledger.recordDelivered([{ ...webhook, seqs: [1, 2] }, { ...other, seqs: [1] }], AT);
      await ledger.recordFailure({ ...webhook, seq: 3, status: 'dead', attempts: 16 });
      await ledger.recordFailure({ ...other, seq: 2, status: 'pending', attempts: 0 });
      const replays = [replayOf(other, 'rpl_b1'), replayOf(webhook, 'rpl_b2', { status: 'done', nextSeq: 41 }), replayOf(webhook, 'rpl_a9')];
      for (const replay of replays) await ledger.startReplay(replay);
      await ledger.advanceReplay(other, 'rpl_b1', { fromStep: 0, nextSeq: 7, status: 'retrying', at: LATER });

      const pages = await readAllPages(ledger, tenant, runId, limit);
      // The kinds of the records in the order the pages give them: the ledger's key order (D#, F#, R#).
      const order = pages.flatMap((page) => [...page.delivered.map(() => 'delivered'), ...page.failures.map(() => 'failure'), ...(page.replays ?? []).map((replay) => replay.replayId)]);
      expect(order).toEqual(['delivered', 'delivered', 'failure', 'failure', 'rpl_a9', 'rpl_b2', 'rpl_b1']);
      expect(pages.flatMap((page) => page.replays ?? [])).toEqual([
        replayOf(webhook, 'rpl_a9'),
        replayOf(webhook, 'rpl_b2', { status: 'done', nextSeq: 41 }),
        replayOf(other, 'rpl_b1', { nextSeq: 7, status: 'retrying', step: 1, updatedAt: LATER.toISOString() }),
      ]);
      if (limit === 1) expect(pages.length).toBeGreaterThanOrEqual(7);
    });

    it('shows no replay of another run or tenant in a run\'s pages', async () => {
      const ledger = await make();
      const { tenant, runId, webhook } = freshRun();
      await ledger.startReplay(replayOf(webhook, 'rpl_a1'));
      for (const [owner, run] of [[tenant, uniqueId('run')], [uniqueId('tenant'), runId]] as const) {
        expect((await readAllPages(ledger, owner, run)).flatMap((page) => page.replays ?? [])).toEqual([]);
      }
    });
  });
}
