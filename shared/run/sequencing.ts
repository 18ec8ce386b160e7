import type { RunEvent, StoredEvent } from '../contract/event.ts';
import type { AppendCandidate, AppendOutcome, StoreLimits } from '../ports.ts';
import { eventCountOf, lastSeqOf, type RunState, type SequencingMode } from './run-state.ts';

/**
 * The sequencing rules (docs/contract.md, "Sequencing and idempotency"), as pure functions every store
 * adapter applies the same way. Adapters only add what their backend needs to make them atomic.
 */

/** A run's mode is fixed by its first accepted event: with a seq it is producer-sequenced. */
export function modeOf(state: RunState | undefined, candidates: readonly AppendCandidate[]): SequencingMode {
  if (state !== undefined) return state.mode;
  return candidates[0]?.event.seq === undefined ? 'server' : 'producer';
}

/** The result of screening a request's events for one run before anything is read or written. */
export type Screening = {
  /** Candidates that still need the store's answer, each eventId once. */
  readonly pending: AppendCandidate[];
  /** Outcomes already known (mode mismatch, a conflict inside the request). */
  readonly settled: Map<number, AppendOutcome>;
  /** Later copies of an eventId in the same request with the same content: index -> first index. */
  readonly repeats: Map<number, number>;
};

/** Applies the rules that need no stored data: mode consistency and repeats within the request. */
export function screenCandidates(candidates: readonly AppendCandidate[], mode: SequencingMode): Screening {
  const pending: AppendCandidate[] = [];
  const settled = new Map<number, AppendOutcome>();
  const repeats = new Map<number, number>();
  const firstByEventId = new Map<string, AppendCandidate>();
  const eventIdBySeq = new Map<number, string>();

  for (const candidate of candidates) {
    const { event } = candidate;
    const mismatch = modeMismatch(event, mode);
    if (mismatch !== undefined) {
      settled.set(candidate.index, { outcome: 'conflict', message: mismatch });
      continue;
    }
    const first = firstByEventId.get(event.eventId);
    if (first !== undefined) {
      if (first.hash === candidate.hash) repeats.set(candidate.index, first.index);
      else settled.set(candidate.index, { outcome: 'conflict', message: differentBodyMessage(event.eventId) });
      continue;
    }
    if (event.seq !== undefined) {
      const holder = eventIdBySeq.get(event.seq);
      if (holder !== undefined) {
        settled.set(candidate.index, { outcome: 'conflict', message: seqTakenMessage(event.seq, holder) });
        continue;
      }
      eventIdBySeq.set(event.seq, event.eventId);
    }
    firstByEventId.set(event.eventId, candidate);
    pending.push(candidate);
  }
  return { pending, settled, repeats };
}

function modeMismatch(event: RunEvent, mode: SequencingMode): string | undefined {
  const mismatched = mode === 'server' ? event.seq !== undefined : event.seq === undefined;
  return mismatched ? modeMismatchMessage(event.runId, mode) : undefined;
}

/** The answer for an event whose run is in the other sequencing mode. */
export function modeConflict(runId: string, mode: SequencingMode): AppendOutcome {
  return { outcome: 'conflict', message: modeMismatchMessage(runId, mode) };
}

function modeMismatchMessage(runId: string, mode: SequencingMode): string {
  return mode === 'server'
    ? `run '${runId}' is server-sequenced: its events must not carry seq (a run is one mode or the other)`
    : `run '${runId}' is producer-sequenced: every event must carry seq (a run is one mode or the other)`;
}

export function differentBodyMessage(eventId: string): string {
  return `eventId '${eventId}' was already used in this run for an event with different content`;
}

export function seqTakenMessage(seq: number, eventId: string): string {
  return `seq ${seq} is already taken by eventId '${eventId}'`;
}

/** What the store already holds under an eventId (server mode) or a seq (producer mode). */
export type HeldEvent = { readonly eventId: string; readonly hash: string; readonly seq: number };

/**
 * Compares an offered event with the one already held at its eventId or seq: the same eventId and
 * content is a retry (duplicate, original seq); anything else is a conflict.
 */
export function compareWithHeld(candidate: AppendCandidate, held: HeldEvent): AppendOutcome {
  if (held.eventId !== candidate.event.eventId) {
    return { outcome: 'conflict', message: seqTakenMessage(held.seq, held.eventId), seq: held.seq };
  }
  if (held.hash !== candidate.hash) {
    return { outcome: 'conflict', message: differentBodyMessage(held.eventId), seq: held.seq };
  }
  return { outcome: 'duplicate', seq: held.seq };
}

export function limitMessage(limits: StoreLimits): string {
  return `this run has reached its limit of ${limits.maxEventsPerRun} events; start a new run`;
}

/**
 * Server mode: the next seqs after the run's last one, in request order, for as many events as
 * the run's event limit allows. Returns the seq for each candidate, or a rejection.
 */
export function assignServerSeqs(
  state: RunState | undefined,
  candidates: readonly AppendCandidate[],
  limits: StoreLimits,
): Array<{ candidate: AppendCandidate; seq: number } | { candidate: AppendCandidate; rejected: AppendOutcome }> {
  let next = (state === undefined ? 0 : lastSeqOf(state)) + 1;
  return candidates.map((candidate) => {
    if (next > limits.maxEventsPerRun) {
      return { candidate, rejected: { outcome: 'rejected', message: limitMessage(limits) } };
    }
    return { candidate, seq: next++ };
  });
}

/** Producer mode: a seq beyond the run limit can never be filled densely, so it is refused up front. */
export function checkProducerSeq(
  state: RunState | undefined,
  candidate: AppendCandidate,
  acceptedSoFar: number,
  limits: StoreLimits,
): AppendOutcome | undefined {
  const seq = candidate.event.seq ?? 0;
  if (seq > limits.maxEventsPerRun) {
    return {
      outcome: 'rejected',
      field: 'seq',
      message: `must be at most ${limits.maxEventsPerRun}, the most events one run may hold`,
    };
  }
  const held = state === undefined ? 0 : eventCountOf(state) + state.reserved.length;
  if (held + acceptedSoFar >= limits.maxEventsPerRun) {
    return { outcome: 'rejected', message: limitMessage(limits) };
  }
  return undefined;
}

export function toStoredEvent(event: RunEvent, seq: number, receivedAt: string): StoredEvent {
  return { ...event, seq, receivedAt };
}

/** Outcomes in candidate order, filling repeats from the first copy: accepted there is duplicate here. */
export function collectOutcomes(
  candidates: readonly AppendCandidate[],
  outcomes: ReadonlyMap<number, AppendOutcome>,
  repeats: ReadonlyMap<number, number>,
): AppendOutcome[] {
  return candidates.map((candidate) => {
    const firstIndex = repeats.get(candidate.index);
    const own = outcomes.get(firstIndex ?? candidate.index);
    if (own === undefined) throw new Error(`no outcome for event at index ${candidate.index}`);
    if (firstIndex !== undefined && own.outcome === 'accepted') return { outcome: 'duplicate', seq: own.seq };
    return own;
  });
}
