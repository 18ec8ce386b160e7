import type { AppendCandidate, AppendOutcome } from '../ports.ts';
import type { AppendPlan, EventWrite, PlanInput } from './append-plan.ts';
import { foldEvents, newRunState, type RunState } from './run-state.ts';
import { hasSeq } from './seq-ranges.ts';
import { checkProducerSeq, compareWithHeld, seqTakenMessage, toStoredEvent } from './sequencing.ts';

/**
 * The producer-sequenced side of planAppend (append-plan.ts): every event brings its seq, so the
 * plan's claims are the batch's free seqs, reserved in the run summary as `[seq, hash prefix]`
 * (`RunState.reserved`). The steps are the server path's: claim (one conditional summary write,
 * the point where concurrent writers are ordered), write, confirm (fold, drop the claims).
 *
 * - A seq the run holds: the event stored there answers (duplicate, or conflict).
 * - A seq claimed for another event: conflict. Claimed for this very event (an earlier attempt
 *   that did not finish): written again, but only if the seq is still free.
 * - A free seq: claimed now, and its event written without a condition (the claim makes the seq
 *   ours; a plain batch write costs one unit and runs at the table's full write rate).
 * - Any claimed seq whose event is stored by now (its writer crashed before confirming) is
 *   confirmed on the way.
 * There are no leases: a producer claim waits for its producer's resend, however long that takes.
 */

/** 72 bits of the event hash: plenty to tell two events claiming one seq apart. */
const CLAIM_HASH_LENGTH = 12;

export function claimHash(hash: string): string {
  return hash.slice(0, CLAIM_HASH_LENGTH);
}

/** The event items the producer plan needs: candidates' seqs the run holds, and every claimed seq. */
export function producerSeqsToRead(state: RunState | undefined, candidates: readonly AppendCandidate[]): number[] {
  if (state === undefined) return [];
  const seqs = new Set(state.reserved.map(([seq]) => seq));
  for (const { event } of candidates) if (event.seq !== undefined && hasSeq(state.seqs, event.seq)) seqs.add(event.seq);
  return [...seqs].sort((a, b) => a - b);
}

export function planProducerAppend({ runId, state, candidates, stored, nowMs, limits }: PlanInput): AppendPlan {
  const receivedAt = new Date(nowMs).toISOString();
  const base = state ?? newRunState(runId, 'producer', receivedAt);
  const claimedFor = new Map(base.reserved);
  const outcomes = new Map<number, AppendOutcome>();
  const claims: Array<[number, string]> = [];
  const events: EventWrite[] = [];

  for (const candidate of candidates) {
    const seq = candidate.event.seq ?? 0;
    const held = stored.get(seq);
    const heldOutcome = held === undefined ? undefined : compareWithHeld(candidate, { eventId: held.event.eventId, hash: held.hash, seq });
    if (hasSeq(base.seqs, seq)) {
      outcomes.set(candidate.index, heldOutcome ?? { outcome: 'conflict', seq, message: seqTakenMessage(seq, 'an event no longer stored') });
      continue;
    }
    const claim = claimedFor.get(seq);
    if (claim !== undefined) {
      if (heldOutcome !== undefined) outcomes.set(candidate.index, heldOutcome);
      else if (claim !== claimHash(candidate.hash)) outcomes.set(candidate.index, { outcome: 'conflict', seq, message: `seq ${seq} is already claimed by another event` });
      else {
        events.push({ event: toStoredEvent(candidate.event, seq, receivedAt), hash: candidate.hash, dense: false, ifFree: true });
        outcomes.set(candidate.index, { outcome: 'accepted', seq });
      }
      continue;
    }
    const refusal = checkProducerSeq(base, candidate, claims.length, limits);
    if (refusal !== undefined) {
      outcomes.set(candidate.index, refusal);
      continue;
    }
    claims.push([seq, claimHash(candidate.hash)]);
    events.push({ event: toStoredEvent(candidate.event, seq, receivedAt), hash: candidate.hash, dense: false, ifFree: false });
    outcomes.set(candidate.index, { outcome: 'accepted', seq });
  }

  // Claimed seqs whose events are stored already: a crashed writer's, or a live one's about to confirm.
  const recovered = base.reserved.flatMap(([seq]) => {
    const found = stored.get(seq);
    return found === undefined ? [] : [found.event];
  });
  if (events.length === 0 && recovered.length === 0) return { kind: 'settled', outcomes };

  const folded = [...events.map(({ event }) => event), ...recovered];
  const confirmedSeqs = new Set(folded.map((event) => event.seq));
  const confirmed: RunState = { ...foldEvents(base, folded, receivedAt), reserved: base.reserved.filter(([seq]) => !confirmedSeqs.has(seq)) };
  const claimed = claims.length === 0 ? undefined : { ...base, reserved: [...base.reserved, ...claims] };
  return { kind: 'commit', claimed, guards: [], events, confirmed, outcomes };
}
