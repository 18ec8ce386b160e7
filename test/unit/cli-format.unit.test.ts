import { describe, expect, it } from 'vitest';
import { eventsFromJsonArgument, eventsFromJsonLines } from '#cli/event-input.ts';
import { eventDetail } from '#cli/format/event-summary.ts';
import { formatDuration, formatTable } from '#cli/format/table.ts';
import { requestBatches } from '#cli/request-batches.ts';

describe('formatTable', () => {
  it('aligns columns under their headings, numbers to the right, with no trailing spaces', () => {
    const rows = [
      { name: 'completed', count: 12 },
      { name: 'failed', count: 3 },
    ];
    const lines = formatTable([{ heading: 'STATUS', cell: (row: (typeof rows)[number]) => row.name }, { heading: 'RUNS', cell: (row) => String(row.count), align: 'right' }], rows);
    expect(lines).toEqual(['STATUS     RUNS', 'completed    12', 'failed        3']);
  });

  it('keeps a cell with a newline on one line', () => {
    expect(formatTable([{ heading: 'A', cell: (row: string) => row }], ['one\ntwo'])).toEqual(['A', 'one two']);
  });
});

describe('formatDuration', () => {
  it.each([
    [null, '-'],
    [950, '950 ms'],
    [12_340, '12.3 s'],
    [245_000, '4 m 05 s'],
    [7_380_000, '2 h 03 m'],
  ])('shows %s as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('eventDetail', () => {
  const event = (type: string, payload: Record<string, unknown>) => ({ eventId: 'e', runId: 'r', type, seq: 1, occurredAt: '', receivedAt: '', payload });
  it('shows what matters for each kind of event', () => {
    expect(eventDetail(event('task.retrying', { taskId: 'fetch', attempt: 1, maxAttempts: 3, error: { message: 'timeout' } }))).toBe('fetch  attempt 1/3  timeout');
    expect(eventDetail(event('run.progress', { progress: 0.4, message: 'indexing' }))).toBe('40%  indexing');
    expect(eventDetail(event('token', { text: 'Hel' }))).toBe('"Hel"');
    expect(eventDetail(event('run.failed', { error: { message: 'boom' } }))).toBe('boom');
    expect(eventDetail(event('custom:deploy', { env: 'prod' }))).toBe('{"env":"prod"}');
  });
});

describe('requestBatches', () => {
  it('cuts at 100 events per request by default', () => {
    expect(requestBatches(Array.from({ length: 250 }, (_, index) => ({ index }))).map((batch) => batch.length)).toEqual([100, 100, 50]);
  });

  it('cuts before a request would pass the byte limit, and sends an oversize event alone', () => {
    const event = (size: number) => ({ text: 'x'.repeat(size) });
    const batches = requestBatches([event(400), event(400), event(400), event(2000), event(10)], { maxEvents: 100, maxBytes: 1000 });
    expect(batches.map((batch) => batch.map((item) => item.text.length))).toEqual([[400, 400], [400], [2000], [10]]);
  });
});

describe('event input', () => {
  it('takes one event, an array, or {"events": [...]} as the JSON argument', () => {
    expect(eventsFromJsonArgument('{"type":"run.started"}')).toEqual([{ type: 'run.started' }]);
    expect(eventsFromJsonArgument('[{"type":"a"},{"type":"b"}]')).toHaveLength(2);
    expect(eventsFromJsonArgument('{"events":[{"type":"a"}]}')).toEqual([{ type: 'a' }]);
    expect(() => eventsFromJsonArgument('[1]')).toThrow('the event argument must be a JSON object (an event)');
  });

  it('reads JSON Lines, skipping blank lines and naming the line that is not JSON', () => {
    expect(eventsFromJsonLines('{"type":"a"}\r\n\n{"type":"b"}\n', 'f.jsonl')).toEqual([{ type: 'a' }, { type: 'b' }]);
    expect(() => eventsFromJsonLines('{"type":"a"}\n{oops}\n', 'f.jsonl')).toThrow(/^f\.jsonl line 2 is not JSON/);
  });
});
