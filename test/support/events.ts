import type { RunEvent } from '#shared/contract/event.ts';
import type { AppendCandidate } from '#shared/ports.ts';
import { eventHash } from '#shared/run/event-hash.ts';

let counter = 0;

/** A unique id per call, readable in failure messages. */
export function uniqueId(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

/** A valid progress event; override any field. */
export function progressEvent(runId: string, overrides: Partial<RunEvent> & { eventId?: string } = {}): RunEvent {
  const event: RunEvent = {
    eventId: uniqueId('ev'),
    runId,
    type: 'run.progress',
    occurredAt: '2026-11-23T10:00:00.000Z',
    payload: { progress: 0.5, message: 'halfway' },
  };
  return { ...event, ...overrides } as RunEvent;
}

export function candidates(events: readonly RunEvent[]): AppendCandidate[] {
  return events.map((event, index) => ({ event, hash: eventHash(event), index }));
}
