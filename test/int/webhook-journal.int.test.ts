import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalDeliveryQueue } from '#local/webhook-queue.ts';
import { WebhookJournal } from '#local/webhook-journal.ts';
import { DeliveredBatch } from '#shared/webhooks/delivered-batch.ts';
import { isReplayJob, type DeliveryJob, type WebhookJob } from '#shared/webhooks/delivery-job.ts';
import { MemoryDeliveryLedger } from '#adapters/memory/memory-delivery-ledger.ts';
import type { StoredEvent } from '#shared/contract/event.ts';
import { parseDeliveryJob } from '#functions/deliver-webhooks/deliver-webhooks.ts';

const journalFile = () => join(mkdtempSync(join(tmpdir(), 'runledger-journal-')), 'webhook-queue.jsonl');
const lineCount = (file: string) => readFileSync(file, 'utf8').split('\n').filter((line) => line !== '').length;

/** A job as the fan-out makes it. */
function job(subscriptionId: string, seq: number, attempt = 1): DeliveryJob {
  const event: StoredEvent = { runId: 'r1', eventId: `e${seq}`, seq, type: 'run.failed', occurredAt: '2026-11-23T10:00:00Z', receivedAt: '2026-11-23T10:00:01.000Z', payload: { error: { message: 'boom' } } };
  return { tenant: 'acme', subscriptionId, attempt, event: { ...event, tenant: 'acme' } };
}

/** Jobs read back as the stack reads them. */
const parseJob = (value: unknown) => parseDeliveryJob(value).job;

const ledger = new MemoryDeliveryLedger();

/** These tests queue event jobs only. */
function eventJob(work: WebhookJob): DeliveryJob {
  if (isReplayJob(work)) throw new Error('a replay job in a test of event jobs');
  return work;
}

/** A queue on `file` whose worker answers `outcome` and records what it ran. */
function queueOn(file: string, outcome: (job: DeliveryJob) => { outcome: string }, now = Date.now, flushMs = 10) {
  const ran: string[] = [];
  const logged: string[] = [];
  const queue = new LocalDeliveryQueue({ log: (line) => logged.push(line), journal: new WebhookJournal({ file }), now, flushMs });
  queue.bind((work) => {
    ran.push(`${work.subscriptionId}:${eventJob(work).event.seq}:${work.attempt}`);
    return Promise.resolve(outcome(eventJob(work)));
  }, new DeliveredBatch(ledger));
  return { queue, ran, logged };
}

describe('the local webhook queue journal', () => {
  it('keeps jobs not yet run across a stop, and resumes them in the order accepted per subscription, a passed delay at once', async () => {
    const file = journalFile();
    // Given a stack that accepted jobs and stopped before their time came.
    const before = queueOn(file, () => ({ outcome: 'delivered' }));
    before.queue.resume(() => job('x', 0));
    await before.queue.enqueue([job('a', 1), job('b', 1)], 60_000);
    await before.queue.enqueue([job('a', 2)], 60_000);
    await before.queue.close();
    expect(before.ran).toEqual([]);

    // When the next start comes after their delay.
    const after = queueOn(file, () => ({ outcome: 'delivered' }), () => Date.now() + 61_000);
    expect(after.queue.resume(parseJob)).toBe(3);
    await after.queue.idle();

    // Then each ran once, a's in order, and nothing is left.
    expect(after.ran.filter((entry) => entry.startsWith('a'))).toEqual(['a:1:1', 'a:2:1']);
    expect(after.ran).toHaveLength(3);
    await after.queue.close();
    expect(queueOn(file, () => ({ outcome: 'delivered' })).queue.resume(() => job('x', 0))).toBe(0);
  });

  it('marks a failed attempt done once its retry is journaled, without waiting for a ledger write, so a crash then runs the retry and not the attempt again', async () => {
    const file = journalFile();
    // No ledger write for a minute: only a success waits for one.
    const first = queueOn(file, () => ({ outcome: 'retry' }), Date.now, 60_000);
    first.queue.resume(() => job('x', 0));
    // The worker queues the retry itself (as makeDeliveryWorker does) before returning 'retry'.
    first.queue.bind(async (work) => {
      first.ran.push(`${work.subscriptionId}:${eventJob(work).event.seq}:${work.attempt}`);
      await first.queue.enqueue([{ ...work, attempt: work.attempt + 1 }], 60_000);
      return { outcome: 'retry' };
    }, new DeliveredBatch(ledger));
    await first.queue.enqueue([job('a', 1)], 0);
    await expect.poll(() => readFileSync(file, 'utf8')).toContain('"op":"done"');
    expect(first.ran).toEqual(['a:1:1']);
    // The first queue is never closed: the next one reads the file as a restart after SIGKILL would.

    const second = queueOn(file, () => ({ outcome: 'delivered' }), () => Date.now() + 61_000);
    second.queue.resume(parseJob);
    await second.queue.idle();
    expect(second.ran).toEqual(['a:1:2']);
    await second.queue.close();
  });

  it('skips a torn last line (a crash mid-append) and compacts the file at start to the unfinished jobs', async () => {
    const file = journalFile();
    const journal = new WebhookJournal({ file });
    journal.recover();
    await journal.append([1, 2, 3].map((n) => ({ id: `j${n}`, runAt: 0, job: { n } })));
    journal.markDone('j1');
    await journal.close();
    appendFileSync(file, '{"op":"job","id":"j4","ru');

    const again = new WebhookJournal({ file });
    expect(again.recover()).toEqual([
      { id: 'j2', runAt: 0, job: { n: 2 } },
      { id: 'j3', runAt: 0, job: { n: 3 } },
    ]);
    expect(lineCount(file)).toBe(2);
    await again.close();
  });

  it('refuses a damaged line that is not the last, naming the file and line', () => {
    const file = journalFile();
    writeFileSync(file, 'not json\n{"op":"done","id":"j1"}\n');
    expect(() => new WebhookJournal({ file }).recover()).toThrow(/line 1 is not a journal line/);
  });

  it('compacts while running once finished lines outnumber the rest past the threshold, keeping every unfinished job', async () => {
    const file = journalFile();
    const journal = new WebhookJournal({ file, compactAfterLines: 50 });
    journal.recover();
    await journal.append([{ id: 'keep', runAt: 5, job: { kept: true } }]);
    for (let n = 0; n < 60; n++) {
      await journal.append([{ id: `j${n}`, runAt: 0, job: { n } }]);
      journal.markDone(`j${n}`);
    }
    await journal.append([{ id: 'last', runAt: 0, job: { last: true } }]);
    await journal.close();
    // 122 lines without compaction; far fewer with it.
    expect(lineCount(file)).toBeLessThan(60);
    expect(new WebhookJournal({ file }).recover().map(({ id }) => id)).toEqual(['keep', 'last']);
  });

  it('keeps, and logs, a job this stack cannot read (a newer job kind), instead of dropping it', async () => {
    const file = journalFile();
    const journal = new WebhookJournal({ file });
    journal.recover();
    await journal.append([{ id: 'future', runAt: 0, job: { kind: 'from-a-newer-version', subscriptionId: 'a' } }]);
    await journal.close();

    const { queue, ran, logged } = queueOn(file, () => ({ outcome: 'delivered' }));
    expect(
      queue.resume(() => {
        throw new Error('unknown job kind');
      }),
    ).toBe(0);
    await queue.close();
    expect(ran).toEqual([]);
    expect(logged.join('\n')).toContain('job future in the journal is not a job this stack runs (unknown job kind); kept');
    expect(new WebhookJournal({ file }).recover().map(({ id }) => id)).toEqual(['future']);
  });
});
