import { describe, expect, it } from 'vitest';
import { contiguousSeq, EMPTY_WINDOW, mergeEvents, pageToLoad, type EventRow } from '../../dashboard/src/view/event-window.ts';
import { formatDuration, payloadSummary } from '../../dashboard/src/view/format.ts';
import { parseLocation, runHref } from '../../dashboard/src/view/route.ts';
import { timelineOf } from '../../dashboard/src/view/timeline.ts';

const row = (seq: number, type = 'run.progress'): EventRow => ({ seq, eventId: `e${seq}`, type, occurredAt: '2026-12-02T10:00:00Z' });
const seqsOf = (window: typeof EMPTY_WINDOW) => Array.from({ length: window.length }, (_, index) => window.bySeq.get(index + 1)?.seq ?? null);

describe('the live merge of a run\'s events', () => {
  it('given a page and then a stream that replays part of it, shows each seq once and in order', () => {
    const page = mergeEvents(EMPTY_WINDOW, [row(1), row(2), row(3)], 3);
    const resumed = mergeEvents(page, [row(2), row(3), row(4), row(5)]);
    expect(seqsOf(resumed)).toEqual([1, 2, 3, 4, 5]);
  });

  it('given events out of order and a gap, puts each at its seq and leaves the gap open until it arrives', () => {
    const window = mergeEvents(EMPTY_WINDOW, [row(5), row(1), row(3)]);
    expect(seqsOf(window)).toEqual([1, null, 3, null, 5]);
    expect(contiguousSeq(window)).toBe(1);
    const filled = mergeEvents(window, [row(4), row(2)]);
    expect(seqsOf(filled)).toEqual([1, 2, 3, 4, 5]);
    expect(contiguousSeq(filled)).toBe(5);
  });

  it('keeps the first event of a seq when another claims it (seqs never change once stored)', () => {
    const window = mergeEvents(mergeEvents(EMPTY_WINDOW, [row(1, 'run.started')]), [row(1, 'run.failed')]);
    expect(window.bySeq.get(1)?.type).toBe('run.started');
  });

  it('answers the same window when nothing is new, so the view does not render again', () => {
    const window = mergeEvents(EMPTY_WINDOW, [row(1), row(2)], 2);
    expect(mergeEvents(window, [row(1)], 2)).toBe(window);
    expect(mergeEvents(window, [row(0), { ...row(3), seq: 3.5 }])).toBe(window);
  });

  it('grows to the run\'s known last seq before its events are read (rows for 10,000 events, none loaded)', () => {
    const window = mergeEvents(EMPTY_WINDOW, [], 10_000);
    expect(window.length).toBe(10_000);
    expect(window.bySeq.size).toBe(0);
  });
});

describe('paging where the user looks', () => {
  const tenThousand = mergeEvents(EMPTY_WINDOW, Array.from({ length: 200 }, (_, index) => row(index + 1)), 10_000);

  it('asks for nothing while the rows on screen are loaded', () => {
    expect(pageToLoad(tenThousand, 1, 30, new Set())).toBeUndefined();
  });

  it('asks for the page after the last loaded seq when the user scrolls past it, and for a far page when they jump', () => {
    expect(pageToLoad(tenThousand, 190, 220, new Set())).toBe(200);
    expect(pageToLoad(tenThousand, 7000, 7030, new Set())).toBe(6999);
  });

  it('does not ask twice for a page being read, nor for seqs the run reports missing', () => {
    expect(pageToLoad(tenThousand, 190, 220, new Set([200]))).toBeUndefined();
    const gap = mergeEvents(EMPTY_WINDOW, [row(1), row(3)], 3);
    expect(pageToLoad(gap, 1, 3, new Set(), new Set([2]))).toBeUndefined();
  });
});

describe('the tasks timeline', () => {
  const task = (taskId: string, first: string, last: string, status = 'completed', attempt: number | null = null) => ({
    taskId,
    name: null,
    status,
    attempt,
    firstEventAt: `2026-12-02T10:00:${first}Z`,
    lastEventAt: `2026-12-02T10:00:${last}Z`,
  });

  it('draws each task from its first to its last event over the run\'s span, in the order tasks began', () => {
    const timeline = timelineOf([task('b', '05', '10'), task('a', '00', '05')], { startMs: Date.parse('2026-12-02T10:00:00Z'), endMs: Date.parse('2026-12-02T10:00:10Z') });
    expect(timeline.bars.map((bar) => [bar.taskId, bar.leftPercent, bar.widthPercent, bar.durationMs])).toEqual([
      ['a', 0, 50, 5000],
      ['b', 50, 50, 5000],
    ]);
  });

  it('shows retries as attempts past the first, keeps the status for the colour, and gives an instant task a visible bar', () => {
    const timeline = timelineOf([task('a', '00', '10', 'retrying', 3), task('b', '10', '10', 'failed')]);
    expect(timeline.bars.map((bar) => [bar.taskId, bar.status, bar.retries])).toEqual([
      ['a', 'retrying', 2],
      ['b', 'failed', 0],
    ]);
    const instant = timeline.bars[1];
    expect(instant?.widthPercent).toBeGreaterThan(0);
    expect((instant?.leftPercent ?? 0) + (instant?.widthPercent ?? 0)).toBeLessThanOrEqual(100);
  });

  it('has no bars without tasks', () => {
    expect(timelineOf([]).bars).toEqual([]);
  });
});

describe('the address and the formats', () => {
  it('reads the run and a share token from the fragment, and writes them back', () => {
    expect(parseLocation('#/runs/run%3A1?token=rls1.a.b')).toMatchObject({ route: { view: 'run', runId: 'run:1' }, shareToken: 'rls1.a.b' });
    expect(parseLocation('')).toMatchObject({ route: { view: 'runs' }, shareToken: undefined });
    expect(parseLocation('#/?status=failed').query.get('status')).toBe('failed');
    expect(parseLocation(runHref('run:1', 'rls1.a.b'))).toMatchObject({ route: { view: 'run', runId: 'run:1' }, shareToken: 'rls1.a.b' });
    expect(parseLocation('#/runs/%E0%A4%A')).toMatchObject({ route: { view: 'runs' } });
  });

  it('formats durations and payload summaries as an operator reads them', () => {
    expect([formatDuration(450), formatDuration(1500), formatDuration(125_000), formatDuration(7_500_000), formatDuration(null)]).toEqual(['450 ms', '1.5 s', '2 min 5 s', '2 h 5 min', '—']);
    expect(payloadSummary('run.progress', { progress: 0.4, message: 'fetched' })).toBe('40% fetched');
    expect(payloadSummary('task.failed', { taskId: 't', error: { message: 'boom' } })).toBe('error: boom');
    expect(payloadSummary('task.started', { taskId: 't1', name: 'fetch' })).toBe('taskId=t1 name=fetch');
  });
});
