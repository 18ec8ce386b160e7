import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '#shared/errors.ts';
import type { DeliveryFailure, DeliveryLedger, LedgerKey, LedgerPage } from '#shared/webhooks/ports.ts';
import { uniqueId } from '#test/support/events.ts';

const AT = new Date('2026-11-23T10:00:00.000Z');

/** A fresh tenant and run, so one table may serve every test. */
function freshRun() {
  const tenant = uniqueId('tenant');
  const runId = uniqueId('run');
  const webhook: LedgerKey = { tenant, runId, subscriber: 'sub_1', kind: 'webhook' };
  const observer: LedgerKey = { tenant, runId, subscriber: 'billing', kind: 'observer' };
  return { tenant, runId, webhook, observer };
}

function failureOf(key: LedgerKey, seq: number, overrides: Partial<DeliveryFailure> = {}): DeliveryFailure {
  return { ...key, seq, status: 'failed', attempts: 1, lastAttemptAt: '2026-11-23T10:00:01.000Z', lastError: 'the receiver answered 503', webhookId: `msg_${seq}`, ...overrides };
}

/**
 * Every page of a run's ledger, following `next` to the end; fails the test if a page holds more
 * records (replays included) than the limit or the walk does not end.
 */
export async function readAllPages(ledger: DeliveryLedger, tenant: string, runId: string, limit = 100): Promise<LedgerPage[]> {
  const pages: LedgerPage[] = [];
  let cursor: string | undefined;
  do {
    const page = await ledger.readRun(tenant, runId, { cursor, limit });
    expect(page.delivered.length + page.failures.length + (page.replays?.length ?? 0)).toBeLessThanOrEqual(limit);
    pages.push(page);
    cursor = page.next;
    if (pages.length > 1000) throw new Error('the ledger pages did not end');
  } while (cursor !== undefined);
  return pages;
}

/** A run's whole ledger: delivered seqs by subscriber (with its kind and how often each seq came), and failures by subscriber and seq. */
async function readLedger(ledger: DeliveryLedger, tenant: string, runId: string, limit?: number) {
  const pages = await readAllPages(ledger, tenant, runId, limit);
  const delivered: Record<string, { kind: string; seqs: number[] }> = {};
  for (const block of pages.flatMap((page) => page.delivered)) {
    expect({ tenant: block.tenant, runId: block.runId }).toEqual({ tenant, runId });
    const entry = (delivered[block.subscriber] ??= { kind: block.kind, seqs: [] });
    entry.seqs.push(...block.seqs);
  }
  for (const entry of Object.values(delivered)) entry.seqs.sort((a, b) => a - b);
  const failures = pages.flatMap((page) => page.failures).sort((a, b) => a.subscriber.localeCompare(b.subscriber) || a.seq - b.seq);
  return { delivered, failures };
}

async function refusal(read: Promise<unknown>): Promise<unknown> {
  return read.then(
    () => 'read',
    (error: unknown) => (error instanceof InvalidRequestError ? { name: error.name, code: error.code, details: error.details } : error),
  );
}

const CURSOR_REFUSED = { name: 'InvalidRequestError', code: 'invalid_parameter', details: [{ path: 'cursor', message: expect.any(String) }] };

/**
 * What every DeliveryLedger adapter must do, one feature a block. `make` gives a ledger; tenants
 * and runs are unique per test, so one table may serve every test.
 */
export function describeDeliveryLedgerContract(name: string, make: () => Promise<DeliveryLedger>): void {
  describe(`DeliveryLedger contract: ${name}, delivered`, () => {
    it('records delivered seqs of many subscribers in one call, each with its kind, far apart seqs included', async () => {
      const ledger = await make();
      const { tenant, runId, webhook, observer } = freshRun();
      await ledger.recordDelivered([{ ...webhook, seqs: [1, 2, 127, 128, 129, 1000] }, { ...observer, seqs: [3] }], AT);
      expect(await readLedger(ledger, tenant, runId)).toEqual({
        delivered: { sub_1: { kind: 'webhook', seqs: [1, 2, 127, 128, 129, 1000] }, billing: { kind: 'observer', seqs: [3] } },
        failures: [],
      });
    });

    it('changes nothing on a repeat: seqs recorded again, or again among new ones, are there once', async () => {
      const ledger = await make();
      const { tenant, runId, webhook } = freshRun();
      await ledger.recordDelivered([{ ...webhook, seqs: [1, 2, 200] }], AT);
      const once = await readLedger(ledger, tenant, runId);
      await ledger.recordDelivered([{ ...webhook, seqs: [1, 2, 200] }], AT);
      expect(await readLedger(ledger, tenant, runId)).toEqual(once);
      await ledger.recordDelivered([{ ...webhook, seqs: [2, 3, 3] }], AT);
      expect((await readLedger(ledger, tenant, runId)).delivered).toEqual({ sub_1: { kind: 'webhook', seqs: [1, 2, 3, 200] } });
    });

    it('keeps runs apart: another run of the tenant has nothing of this run\'s ledger', async () => {
      const ledger = await make();
      const { tenant, webhook } = freshRun();
      await ledger.recordDelivered([{ ...webhook, seqs: [1] }], AT);
      await ledger.recordFailure(failureOf(webhook, 2, { status: 'dead' }));
      expect(await readLedger(ledger, tenant, uniqueId('run'))).toEqual({ delivered: {}, failures: [] });
    });
  });

  describe(`DeliveryLedger contract: ${name}, failures`, () => {
    it('gives a failure record back whole', async () => {
      const ledger = await make();
      const { tenant, runId, webhook, observer } = freshRun();
      const failed = failureOf(webhook, 4);
      const pending = { ...observer, seq: 5, status: 'pending' as const, attempts: 0 };
      await ledger.recordFailure(failed);
      await ledger.recordFailure(pending);
      expect((await readLedger(ledger, tenant, runId)).failures).toEqual([pending, failed]);
    });

    it('keeps one record per event and subscriber: a later attempt replaces the earlier one', async () => {
      const ledger = await make();
      const { tenant, runId, webhook, observer } = freshRun();
      await ledger.recordFailure(failureOf(webhook, 4));
      await ledger.recordFailure(failureOf(observer, 4));
      await ledger.recordFailure(failureOf(webhook, 4, { attempts: 2, lastError: 'timed out after 10 s' }));
      expect((await readLedger(ledger, tenant, runId)).failures).toEqual([failureOf(observer, 4), failureOf(webhook, 4, { attempts: 2, lastError: 'timed out after 10 s' })]);
    });

    it.each([1, 2, 100])('shows no failure of an event delivered since, at %i records a page', async (limit) => {
      const ledger = await make();
      const { tenant, runId, webhook } = freshRun();
      await ledger.recordFailure(failureOf(webhook, 2, { attempts: 3 }));
      await ledger.recordFailure(failureOf(webhook, 130, { status: 'dead' }));
      await ledger.recordFailure(failureOf(webhook, 7));
      await ledger.recordDelivered([{ ...webhook, seqs: [1, 2, 3, 130] }], AT);
      expect(await readLedger(ledger, tenant, runId, limit)).toEqual({ delivered: { sub_1: { kind: 'webhook', seqs: [1, 2, 3, 130] } }, failures: [failureOf(webhook, 7)] });
    });
  });

  describe(`DeliveryLedger contract: ${name}, dead deliveries`, () => {
    it('lists a subscriber\'s dead deliveries of all its runs by run then seq, or of one run; nothing failed, pending or of another subscriber', async () => {
      const ledger = await make();
      const tenant = uniqueId('tenant');
      const [first, second] = [`${uniqueId('run')}-a`, `${uniqueId('run')}-b`].sort();
      if (first === undefined || second === undefined) throw new Error('two run ids were not made');
      const sub = (runId: string): LedgerKey => ({ tenant, runId, subscriber: 'sub_1', kind: 'webhook' });
      for (const failure of [
        failureOf(sub(second), 9, { status: 'dead', attempts: 16 }),
        failureOf(sub(first), 12, { status: 'dead', attempts: 16 }),
        failureOf(sub(first), 3, { status: 'dead', attempts: 16 }),
        failureOf(sub(first), 4),
        { ...sub(first), seq: 5, status: 'pending' as const, attempts: 0 },
        failureOf({ ...sub(first), subscriber: 'sub_2' }, 6, { status: 'dead' }),
      ]) {
        await ledger.recordFailure(failure);
      }
      const dead = (runId: string, seq: number) => failureOf(sub(runId), seq, { status: 'dead', attempts: 16 });
      expect(await ledger.listDead(tenant, 'sub_1')).toEqual([dead(first, 3), dead(first, 12), dead(second, 9)]);
      expect(await ledger.listDead(tenant, 'sub_1', second)).toEqual([dead(second, 9)]);
      expect(await ledger.listDead(tenant, 'sub_1', uniqueId('run'))).toEqual([]);
    });

    it('takes a delivery off the dead list once a later record is not dead (a redrive\'s pending, a retry\'s failure), and lists it again when it dies again', async () => {
      const ledger = await make();
      const { tenant, runId, webhook } = freshRun();
      await ledger.recordFailure(failureOf(webhook, 1, { status: 'dead', attempts: 16 }));
      await ledger.recordFailure(failureOf(webhook, 2, { status: 'dead', attempts: 16 }));
      await ledger.recordFailure({ ...webhook, seq: 1, status: 'pending', attempts: 0 });
      await ledger.recordFailure(failureOf(webhook, 2, { attempts: 1 }));
      expect(await ledger.listDead(tenant, 'sub_1', runId)).toEqual([]);

      await ledger.recordFailure(failureOf(webhook, 1, { status: 'dead', attempts: 32 }));
      expect(await ledger.listDead(tenant, 'sub_1')).toEqual([failureOf(webhook, 1, { status: 'dead', attempts: 32 })]);
    });
  });

  describe(`DeliveryLedger contract: ${name}, tenant scoping`, () => {
    it('shows another tenant nothing of a run by the same id: no page, no dead list', async () => {
      const ledger = await make();
      const { runId, webhook } = freshRun();
      await ledger.recordDelivered([{ ...webhook, seqs: [1] }], AT);
      await ledger.recordFailure(failureOf(webhook, 2, { status: 'dead' }));
      const other = uniqueId('tenant');
      expect(await readLedger(ledger, other, runId)).toEqual({ delivered: {}, failures: [] });
      expect(await ledger.listDead(other, 'sub_1')).toEqual([]);
      expect(await ledger.listDead(other, 'sub_1', runId)).toEqual([]);
    });
  });

  describe(`DeliveryLedger contract: ${name}, paging`, () => {
    it('pages a run\'s ledger by cursor: no page over the limit, every record on exactly one page', async () => {
      const ledger = await make();
      const { tenant, runId, webhook, observer } = freshRun();
      const alsoWebhook: LedgerKey = { ...webhook, subscriber: 'sub_2' };
      await ledger.recordDelivered([{ ...webhook, seqs: [1, 2, 300] }, { ...observer, seqs: [1] }, { ...alsoWebhook, seqs: [1] }], AT);
      const failures = [failureOf(observer, 2), failureOf(observer, 3), ...[2, 3, 4].map((seq) => failureOf(alsoWebhook, seq)), failureOf(webhook, 5, { status: 'dead' })];
      for (const failure of failures) await ledger.recordFailure(failure);

      const pages = await readAllPages(ledger, tenant, runId, 2);
      const whole = await readLedger(ledger, tenant, runId, 2);

      expect(pages.length).toBeGreaterThanOrEqual(4);
      expect(whole).toEqual({
        delivered: { sub_1: { kind: 'webhook', seqs: [1, 2, 300] }, billing: { kind: 'observer', seqs: [1] }, sub_2: { kind: 'webhook', seqs: [1] } },
        failures: [failureOf(observer, 2), failureOf(observer, 3), failureOf(webhook, 5, { status: 'dead' }), ...[2, 3, 4].map((seq) => failureOf(alsoWebhook, seq))],
      });
    });

    it('answers one page and no cursor when the ledger fits in it', async () => {
      const ledger = await make();
      const { tenant, runId, webhook } = freshRun();
      await ledger.recordDelivered([{ ...webhook, seqs: [1, 2] }], AT);
      await ledger.recordFailure(failureOf(webhook, 3));
      expect(await readAllPages(ledger, tenant, runId, 100)).toHaveLength(1);
    });

    it('refuses a forged cursor, and one of another run or another tenant, with a 400-worthy error on cursor', async () => {
      const ledger = await make();
      const { tenant, runId, webhook } = freshRun();
      const otherRun = uniqueId('run');
      const otherTenant = uniqueId('tenant');
      for (const [owner, run] of [[tenant, runId], [tenant, otherRun], [otherTenant, runId]] as const) {
        await ledger.recordDelivered([{ ...webhook, tenant: owner, runId: run, subscriber: 'a', seqs: [1] }, { ...webhook, tenant: owner, runId: run, subscriber: 'b', seqs: [1] }], AT);
      }
      const cursorOf = async (owner: string, run: string) => (await ledger.readRun(owner, run, { limit: 1 })).next;
      const [ownCursor, otherRunCursor, otherTenantCursor] = await Promise.all([cursorOf(tenant, runId), cursorOf(tenant, otherRun), cursorOf(otherTenant, runId)]);
      expect([ownCursor, otherRunCursor, otherTenantCursor]).toEqual([expect.any(String), expect.any(String), expect.any(String)]);

      const forged = [
        'not-a-cursor',
        Buffer.from('{"pk":').toString('base64url'),
        Buffer.from(JSON.stringify({ after: 'D#a' })).toString('base64url'),
        Buffer.from(JSON.stringify({ pk: `W#${tenant}#R#${runId}-x`, sk: 'D#a' })).toString('base64url'),
        otherRunCursor,
        otherTenantCursor,
      ];
      for (const cursor of forged) expect(await refusal(ledger.readRun(tenant, runId, { cursor, limit: 1 }))).toEqual(CURSOR_REFUSED);
      expect(await refusal(ledger.readRun(tenant, runId, { cursor: ownCursor, limit: 1 }))).toBe('read');
    });
  });
}
