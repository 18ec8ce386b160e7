import { describe, expect, it } from 'vitest';
import { validateEvent } from '#shared/contract/validate-event.ts';

const base = { eventId: 'e1', runId: 'r1', type: 'run.started', occurredAt: '2026-11-23T10:00:00Z' };

function errorsOf(raw: unknown, prefix = 'events[3]', pathRunId?: string) {
  const result = validateEvent(raw, prefix, pathRunId);
  if (result.ok) throw new Error('expected the event to be rejected');
  return result.errors;
}

describe('validateEvent', () => {
  it('accepts every known type with its minimal payload', () => {
    const payloads: Record<string, unknown> = {
      'run.queued': undefined,
      'run.started': undefined,
      'run.progress': { progress: 0.4 },
      'run.checkpoint': { name: 'cp' },
      'run.heartbeat': undefined,
      'run.completed': undefined,
      'run.failed': { error: { message: 'boom' } },
      'run.cancelled': undefined,
      'run.timed_out': undefined,
      'task.queued': { taskId: 't' },
      'task.started': { taskId: 't' },
      'task.retrying': { taskId: 't', attempt: 2 },
      'task.completed': { taskId: 't' },
      'task.failed': { taskId: 't', error: { message: 'x' } },
      'task.cancelled': { taskId: 't' },
      'task.timed_out': { taskId: 't' },
      token: { text: 'hi' },
      step: { name: 'plan' },
      'message.human': { content: 'hello' },
      'thread.status_updated': { status: 'idle' },
      'custom:deploy.finished': { anything: [1, 2] },
    };
    for (const [type, payload] of Object.entries(payloads)) {
      const result = validateEvent({ ...base, type, ...(payload === undefined ? {} : { payload }) }, '');
      expect(result, type).toMatchObject({ ok: true });
    }
  });

  it('keeps unknown payload keys', () => {
    const result = validateEvent({ ...base, type: 'run.progress', payload: { progress: 1, extra: { nested: true } } }, '');
    expect(result).toMatchObject({ ok: true, event: { payload: { progress: 1, extra: { nested: true } } } });
  });

  it('names the full path of a bad payload field and says what is wrong', () => {
    expect(errorsOf({ ...base, type: 'run.progress', payload: { progress: 1.5 } })).toEqual([
      { path: 'events[3].payload.progress', message: 'must be at most 1' },
    ]);
    expect(errorsOf({ ...base, type: 'run.progress', payload: { progress: 'half' } })).toEqual([
      { path: 'events[3].payload.progress', message: 'must be a number, not a string' },
    ]);
    expect(errorsOf({ ...base, type: 'task.failed', payload: { taskId: 't' } })).toEqual([
      { path: 'events[3].payload.error', message: 'is required' },
    ]);
  });

  it('reports missing envelope fields as required', () => {
    expect(errorsOf({ type: 'run.started' })).toEqual(
      expect.arrayContaining([
        { path: 'events[3].eventId', message: 'is required' },
        { path: 'events[3].runId', message: 'is required' },
        { path: 'events[3].occurredAt', message: 'is required' },
      ]),
    );
  });

  it('rejects an unknown type with the list of valid ones', () => {
    const [error] = errorsOf({ ...base, type: 'run.exploded' });
    expect(error?.path).toBe('events[3].type');
    expect(error?.message).toContain('run.started');
    expect(error?.message).toContain('custom:NAME');
  });

  it('rejects a custom name outside the charset or too long', () => {
    expect(errorsOf({ ...base, type: 'custom:has space' })[0]?.path).toBe('events[3].type');
    expect(errorsOf({ ...base, type: `custom:${'x'.repeat(65)}` })[0]?.path).toBe('events[3].type');
  });

  it('rejects ids with characters outside the charset, and over 128 characters', () => {
    expect(errorsOf({ ...base, eventId: 'a/b' })).toEqual([
      { path: 'events[3].eventId', message: "must be 1-128 characters of letters, digits, '.', '_', ':' or '-'" },
    ]);
    expect(errorsOf({ ...base, runId: 'x'.repeat(129) })[0]?.path).toBe('events[3].runId');
  });

  it('rejects a timestamp that is not RFC 3339 and a seq that is not a whole number >= 1', () => {
    expect(errorsOf({ ...base, occurredAt: 'yesterday' })[0]?.path).toBe('events[3].occurredAt');
    expect(errorsOf({ ...base, seq: 0 })[0]).toEqual({ path: 'events[3].seq', message: 'must be a whole number >= 1' });
    expect(errorsOf({ ...base, seq: 1.5 })[0]?.path).toBe('events[3].seq');
  });

  it('rejects unknown envelope fields', () => {
    expect(errorsOf({ ...base, recievedAt: 'typo' })).toEqual([{ path: 'events[3]', message: "has unknown field 'recievedAt'" }]);
  });

  it('rejects an event over 64 KiB', () => {
    const [error] = errorsOf({ ...base, type: 'token', payload: { text: 'x'.repeat(70_000) } });
    expect(error?.path).toBe('events[3]');
    expect(error?.message).toContain('65536');
  });

  it('fills runId from the URL and refuses a different one', () => {
    const { runId: _omitted, ...withoutRunId } = base;
    expect(validateEvent(withoutRunId, '', 'from-url')).toMatchObject({ ok: true, event: { runId: 'from-url' } });
    expect(errorsOf({ ...base, runId: 'other' }, '', 'from-url')).toEqual([
      { path: 'runId', message: "must equal the runId in the URL ('from-url') or be omitted" },
    ]);
  });

  it('rejects a non-object event', () => {
    expect(errorsOf([1, 2])).toEqual([{ path: 'events[3]', message: 'must be a JSON object' }]);
    expect(errorsOf('event', '')).toEqual([{ path: '(body)', message: 'must be a JSON object' }]);
  });
});
