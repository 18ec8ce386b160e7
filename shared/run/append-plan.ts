import type { StoredEvent } from '../contract/event.ts';
import type { AppendCandidate, AppendOutcome, StoreLimits } from '../ports.ts';
import { claimIdOf, claimSeqs, isClaimLive } from './claims.ts';
import { planProducerAppend, producerSeqsToRead } from './producer-plan.ts';
import { foldEvents, lastSeqOf, newRunState, type RunState } from './run-state.ts';
import { compareWithHeld, limitMessage, toStoredEvent } from './sequencing.ts';

/**
 * An append, planned as a pure function of what was read: the run summary, the eventId guards of
 * the candidates and the event items at the seqs those guards and the run's claims name. The use
 * case (append-to-run.ts) reads, plans, commits the plan's three steps (claim, write, confirm) and
 * plans again whenever a step finds the world moved. Both sequencing modes plan here: producer-
 * sequenced runs in producer-plan.ts (their claims are the producer's seqs), server-sequenced ones
 * below. Server-sequenced rules:
 *
 * - The truth is the event item: a guard `eventId -> seq` counts only while the event at that seq
 *   carries that eventId. A guard left by a writer that crashed before its event landed (its seq
 *   later given to another event) is stale and is replaced, so no eventId is ever stored twice.
 * - A run has at most one claim (claims.ts). A live claim of another writer means wait; a claim
 *   whose lease ran out, or our own from an earlier attempt, is taken over: events already stored
 *   in it are kept where they are (a stored event never moves), a resent eventId keeps the seq it
 *   was claimed at, and the other free seqs go to our new events in request order.
 * - Only the dense prefix is confirmed. If the claim keeps a hole our events cannot fill, what lies
 *   above it stays claimed, ownerless, for the next writer; nothing above a hole is acknowledged.
 */

export type HeldGuard = { readonly eventId: string; readonly seq: number; readonly hash: string };
export type StoredAt = { readonly event: StoredEvent; readonly hash: string };

export type PlanInput = {
  readonly runId: string;
  readonly state: RunState | undefined;
  /** Screened candidates (each eventId once; all without seq, or, producer-sequenced, all with). */
  readonly candidates: readonly AppendCandidate[];
  /** Guards of the candidates' eventIds (and of stored events in a taken-over claim), by eventId. */
  readonly guards: ReadonlyMap<string, HeldGuard>;
  /** Event items read at seqsToRead(), by seq. */
  readonly stored: ReadonlyMap<number, StoredAt>;
  /** Who we are: our claim from an earlier attempt is ours to continue. */
  readonly token: string;
  readonly nowMs: number;
  readonly leaseMs: number;
  readonly limits: StoreLimits;
};

/** How a guard item is written: new (must not exist), replacing a stale one, or healing a missing one. */
export type GuardWrite =
  | { readonly kind: 'insert'; readonly eventId: string; readonly seq: number; readonly hash: string }
  | { readonly kind: 'replace'; readonly eventId: string; readonly seq: number; readonly hash: string; readonly staleSeq: number }
  | { readonly kind: 'heal'; readonly eventId: string; readonly seq: number; readonly hash: string };

export type EventWrite = {
  readonly event: StoredEvent;
  readonly hash: string;
  /** Server-sequenced: readers of the run stop at the first missing seq (visible-seqs.ts). */
  readonly dense: boolean;
  /**
   * Written only if its seq is free. False only for producer seqs this plan claims: the claim makes
   * the seq this event's, so a plain write does (one unit, the table's full write rate).
   */
  readonly ifFree: boolean;
};

export type AppendPlan =
  /** Nothing to write: every candidate has its answer. */
  | { readonly kind: 'settled'; readonly outcomes: ReadonlyMap<number, AppendOutcome> }
  /** Another writer's claim is live: read again after a pause, at the latest when its lease ends. */
  | { readonly kind: 'wait'; readonly untilMs: number }
  | {
      readonly kind: 'commit';
      /** Step 1: the summary with our claim (conditional on the version read); undefined when the plan claims nothing new (producer-sequenced). */
      readonly claimed: RunState | undefined;
      /** Step 2: guards and events, each conditional on its own key (no transaction). */
      readonly guards: readonly GuardWrite[];
      readonly events: readonly EventWrite[];
      /** Step 3: the summary with the dense prefix folded in and the claim dropped or left ownerless. */
      readonly confirmed: RunState;
      /** Answers once step 3 holds; candidates above a hole that stays are missing (not yet answerable). */
      readonly outcomes: ReadonlyMap<number, AppendOutcome>;
    };

/** The eventIds whose guards the planner needs (producer-sequenced runs have no guards). */
export function guardsToRead(candidates: readonly AppendCandidate[]): string[] {
  return isProducerSequenced(undefined, candidates) ? [] : candidates.map(({ event }) => event.eventId);
}

/**
 * The seqs whose event items the planner needs: guard targets, and the claim if we may take it
 * over; producer-sequenced, the candidates' held seqs and every claimed one (producer-plan.ts).
 */
export function seqsToRead(state: RunState | undefined, guards: Iterable<HeldGuard>, token: string, nowMs: number, candidates: readonly AppendCandidate[] = []): number[] {
  if (isProducerSequenced(state, candidates)) return producerSeqsToRead(state, candidates);
  const seqs = new Set<number>();
  for (const guard of guards) seqs.add(guard.seq);
  const claim = state?.claim;
  if (claim !== undefined && !isClaimLive(claim, token, nowMs)) for (const seq of claimSeqs(claim)) seqs.add(seq);
  return [...seqs].sort((a, b) => a - b);
}

/** The run's mode, else (a new run) the candidates': screened candidates all carry seq or none do. */
function isProducerSequenced(state: RunState | undefined, candidates: readonly AppendCandidate[]): boolean {
  return (state?.mode ?? (candidates[0]?.event.seq === undefined ? 'server' : 'producer')) === 'producer';
}

export function planAppend(input: PlanInput): AppendPlan {
  if (isProducerSequenced(input.state, input.candidates)) return planProducerAppend(input);
  const { state, candidates, guards, stored, token, nowMs, limits } = input;
  const claim = state?.claim;
  if (claim !== undefined && isClaimLive(claim, token, nowMs)) return { kind: 'wait', untilMs: claim.leaseUntil };

  const confirmedUpTo = state === undefined ? 0 : lastSeqOf(state);
  const outcomes = new Map<number, AppendOutcome>();
  const heldBy = (seq: number, eventId: string): StoredAt | undefined => {
    const found = stored.get(seq);
    return found?.event.eventId === eventId ? found : undefined;
  };

  // The slots of a claim we take over: what is stored there, and what each free one was meant for.
  const slots = new Map<number, { stored?: StoredAt; placed?: AppendCandidate; id: string }>();
  if (claim !== undefined) {
    claim.ids.forEach((id, offset) => {
      const seq = claim.from + offset;
      const found = stored.get(seq);
      slots.set(seq, found === undefined ? { id } : { stored: found, id: claimIdOf(found.event.eventId) });
    });
  }
  const storedInClaim = new Map([...slots.entries()].flatMap(([seq, slot]) => (slot.stored === undefined ? [] : [[slot.stored.event.eventId, seq] as const])));

  const guardWrites: GuardWrite[] = [];
  const fresh: AppendCandidate[] = [];
  // Stored in the claim but not confirmed yet: answerable only if no hole stays below them.
  const unconfirmed: Array<{ index: number; seq: number }> = [];
  for (const candidate of candidates) {
    const { eventId } = candidate.event;
    const guard = guards.get(eventId);
    const guardHolds = guard !== undefined && heldBy(guard.seq, eventId) !== undefined;
    const storedSeq = guardHolds ? guard.seq : storedInClaim.get(eventId);
    if (storedSeq !== undefined) {
      const held = heldBy(storedSeq, eventId);
      if (held !== undefined) {
        outcomes.set(candidate.index, compareWithHeld(candidate, { eventId, hash: held.hash, seq: storedSeq }));
        if (storedSeq > confirmedUpTo) unconfirmed.push({ index: candidate.index, seq: storedSeq });
        continue;
      }
    }
    // A resend keeps the free seq its eventId was claimed at: its original may still be landing there.
    const claimedAt = [...slots.entries()].find(([seq, slot]) => slot.stored === undefined && slot.placed === undefined && (guard?.seq === seq || slot.id === claimIdOf(eventId)));
    if (claimedAt !== undefined) claimedAt[1].placed = candidate;
    else fresh.push(candidate);
  }

  // Free slots of the claim go to new events first, in request order; the rest follow the claim.
  const queue = [...fresh];
  for (const slot of slots.values()) {
    if (slot.stored === undefined && slot.placed === undefined && queue.length > 0) slot.placed = queue.shift();
  }
  let nextSeq = confirmedUpTo + Math.max(slots.size, 0) + 1;
  for (const candidate of queue) {
    if (nextSeq > limits.maxEventsPerRun) {
      outcomes.set(candidate.index, { outcome: 'rejected', message: limitMessage(limits) });
      continue;
    }
    slots.set(nextSeq++, { placed: candidate, id: claimIdOf(candidate.event.eventId) });
  }

  // An event stored above the confirmed prefix with no claim to take over: the summary we planned
  // on is older than that write (a remembered copy). Read it again before answering anything.
  if (claim === undefined && unconfirmed.length > 0) return { kind: 'wait', untilMs: nowMs };
  const anyPlaced = [...slots.values()].some((slot) => slot.placed !== undefined);
  if (!anyPlaced && claim === undefined) return { kind: 'settled', outcomes };

  const receivedAt = new Date(nowMs).toISOString();
  const events: EventWrite[] = [];
  const ids: string[] = [];
  const from = confirmedUpTo + 1;
  let firstHole: number | undefined;
  const folded: StoredEvent[] = [];
  for (const [seq, slot] of [...slots.entries()].sort(([a], [b]) => a - b)) {
    if (slot.placed !== undefined) {
      const { event, hash } = slot.placed;
      const storedEvent = toStoredEvent(event, seq, receivedAt);
      events.push({ event: storedEvent, hash, dense: true, ifFree: true });
      const guard = guards.get(event.eventId);
      guardWrites.push(
        guard === undefined ? { kind: 'insert', eventId: event.eventId, seq, hash } : { kind: 'replace', eventId: event.eventId, seq, hash, staleSeq: guard.seq },
      );
      ids.push(claimIdOf(event.eventId));
      if (firstHole === undefined) {
        folded.push(storedEvent);
        outcomes.set(slot.placed.index, { outcome: 'accepted', seq });
      }
    } else if (slot.stored !== undefined) {
      const { event, hash } = slot.stored;
      // Its writer crashed, perhaps before its guard landed: make sure the guard exists.
      if (guards.get(event.eventId)?.seq !== seq) guardWrites.push({ kind: 'heal', eventId: event.eventId, seq, hash });
      ids.push(slot.id);
      if (firstHole === undefined) folded.push(event);
    } else {
      ids.push(slot.id);
      firstHole ??= seq;
    }
  }

  for (const { index, seq } of unconfirmed) if (firstHole !== undefined && seq > firstHole) outcomes.delete(index);

  const base = state ?? newRunState(input.runId, 'server', receivedAt);
  const claimed: RunState = { ...base, claim: { token, from, ids, leaseUntil: nowMs + input.leaseMs } };
  const left = firstHole === undefined ? undefined : { token: '', from: firstHole, ids: ids.slice(firstHole - from), leaseUntil: 0 };
  const { claim: _dropped, ...withoutClaim } = foldEvents(base, folded, receivedAt);
  const confirmed: RunState = left === undefined ? withoutClaim : { ...withoutClaim, claim: left };
  return { kind: 'commit', claimed, guards: guardWrites, events, confirmed, outcomes };
}
