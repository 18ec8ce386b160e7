import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusEvent, LocalTarget } from '#local/bus/local-bus.ts';
import type { RunningLocalStack } from '#local/stack.ts';
import { parseBusEvent } from '#shared/bus/published-event.ts';
import { toEventPattern } from '#shared/bus/observer-filter.ts';
import { uniqueId } from '#test/support/events.ts';
import { GLOBEX_KEY, request, startTestStack } from '#test/support/http.ts';

type Received = Map<string, string[]>;
const received: Received = new Map();
let flakyFailuresLeft = 0;

function recorder(name: string, pattern: Record<string, unknown>, required: boolean, invoke?: (event: BusEvent) => void): LocalTarget {
  received.set(name, []);
  return {
    name,
    pattern,
    required,
    invoke: (event) => {
      invoke?.(event);
      const typed = parseBusEvent(event);
      received.get(name)?.push(`${typed.detail.tenant}/${typed.detail.runId}/${typed.detail.seq}/${typed.detail.type}`);
      return Promise.resolve();
    },
  };
}

let stack: RunningLocalStack;
beforeAll(async () => {
  stack = await startTestStack({
    observers: [
      recorder('failures', toEventPattern({ types: ['run.failed', 'task.failed'] }), true),
      recorder('acme-tokens', toEventPattern({ pattern: { 'detail-type': ['token'], detail: { tenant: ['acme'] } } }), false),
      recorder('minimal', toEventPattern({ preset: 'minimal' }), false),
      recorder('broken-optional', toEventPattern({ preset: 'all' }), false, () => {
        throw new Error('this observer always fails');
      }),
      recorder('flaky-required', toEventPattern({ types: ['custom:*'] }), true, () => {
        if (flakyFailuresLeft > 0) {
          flakyFailuresLeft -= 1;
          throw new Error('not today');
        }
      }),
    ],
  });
});
afterAll(() => stack.stop());

const at = '2026-11-23T10:00:00Z';
const events = (runId: string) => ({
  events: [
    { eventId: 'a', runId, type: 'run.started', occurredAt: at },
    { eventId: 'b', runId, type: 'token', occurredAt: at, payload: { text: 'hi' } },
    { eventId: 'c', runId, type: 'task.failed', occurredAt: at, payload: { taskId: 't', error: { message: 'x' } } },
    { eventId: 'd', runId, type: 'run.failed', occurredAt: at, payload: { error: { message: 'boom' } } },
  ],
});

describe('fan-out on the local stack', () => {
  it('delivers each stored event to every observer whose pattern matches, and only to those', async () => {
    const [acmeRun, globexRun] = [uniqueId('run'), uniqueId('run')];
    expect((await request(stack.url, 'POST', '/v1/events', { body: events(acmeRun) })).status).toBe(202);
    expect((await request(stack.url, 'POST', '/v1/events', { body: events(globexRun), key: GLOBEX_KEY })).status).toBe(202);
    await stack.settled();

    const mine = (name: string) => (received.get(name) ?? []).filter((entry) => entry.includes(acmeRun) || entry.includes(globexRun)).sort();
    expect(mine('failures')).toEqual(
      [`acme/${acmeRun}/3/task.failed`, `acme/${acmeRun}/4/run.failed`, `globex/${globexRun}/3/task.failed`, `globex/${globexRun}/4/run.failed`].sort(),
    );
    expect(mine('acme-tokens')).toEqual([`acme/${acmeRun}/2/token`]);
    const lifecycle = (tenant: string, runId: string) => [`${tenant}/${runId}/1/run.started`, `${tenant}/${runId}/3/task.failed`, `${tenant}/${runId}/4/run.failed`];
    expect(mine('minimal')).toEqual([...lifecycle('acme', acmeRun), ...lifecycle('globex', globexRun)].sort());
  });

  it('dead-letters what a required observer keeps refusing, and redrive delivers it', async () => {
    const runId = uniqueId('run');
    flakyFailuresLeft = 5;
    await request(stack.url, 'POST', `/v1/runs/${runId}/events`, { body: { eventId: 'x', type: 'custom:deploy', occurredAt: at } });
    await stack.settled();
    const letters = stack.bus.listDeadLetters('flaky-required').filter((letter) => JSON.stringify(letter.event).includes(runId));
    expect(letters).toHaveLength(1);
    expect(letters[0]?.error).toBe('not today');
    expect(received.get('flaky-required')?.some((entry) => entry.includes(runId))).toBe(false);

    expect(await stack.bus.redrive({ target: 'flaky-required' })).toMatchObject({ delivered: 1, failed: 0 });
    expect(received.get('flaky-required')?.some((entry) => entry.includes(runId))).toBe(true);
    expect(stack.bus.listDeadLetters('flaky-required')).toHaveLength(0);
  });

  it('never lets a failing optional observer hold up the others, and does not dead-letter it', () => {
    expect(received.get('minimal')?.length).toBeGreaterThan(0);
    expect(received.get('broken-optional')).toEqual([]);
    expect(stack.bus.listDeadLetters('broken-optional')).toEqual([]);
  });
});
