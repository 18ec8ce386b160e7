import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BusEvent } from '#local/bus/bus-event.ts';
import { BusJournal } from '#local/bus/bus-journal.ts';

const event = (id: string): BusEvent => ({ version: '0', id, 'detail-type': 'run.started', source: 'runledger', account: '0', time: '2026-11-23T10:00:00Z', region: 'us-east-1', resources: [], detail: { runId: id } });

describe('the local bus journal', () => {
  it('gives back after a restart every accepted delivery not recorded done, and only those', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'journal-'));
    const before = new BusJournal({ dir });
    before.recover();
    await before.append([{ event: event('a'), targets: ['archive', 'alerting'] }, { event: event('b'), targets: ['archive'] }, { event: event('c'), targets: [] }]);
    before.markDone('a', 'archive');
    before.markDone('b', 'archive');
    // No close: the process is gone.
    const after = new BusJournal({ dir });
    expect(after.recover().map(({ event: { id }, target }) => `${id}/${target}`)).toEqual(['a/alerting']);
  });

  it('deletes a sealed segment once every delivery in it is done', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'journal-'));
    const journal = new BusJournal({ dir, segmentEntries: 2 });
    journal.recover();
    await journal.append([{ event: event('a'), targets: ['archive'] }, { event: event('b'), targets: ['archive'] }]);
    await journal.append([{ event: event('c'), targets: ['archive'] }]);
    const first = journal.journalFile(1);
    expect(existsSync(first)).toBe(true);
    journal.markDone('a', 'archive');
    expect(existsSync(first)).toBe(true);
    journal.markDone('b', 'archive');
    expect(existsSync(first)).toBe(false);
    await journal.close();
    expect(new BusJournal({ dir }).recover().map(({ event: { id } }) => id)).toEqual(['c']);
  });
});
