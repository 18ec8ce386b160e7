import { describe, expect, it } from 'vitest';
import type { AppendCandidate } from '#shared/ports.ts';
import { planAppend, seqsToRead, type AppendPlan, type HeldGuard, type PlanInput, type StoredAt } from '#shared/run/append-plan.ts';
import { claimIdOf } from '#shared/run/claims.ts';
import { foldEvents, lastSeqOf, newRunState, type RunState } from '#shared/run/run-state.ts';
import { claimHash } from '#shared/run/producer-plan.ts';
import { toRunSummary } from '#shared/run/run-summary.ts';
import { toStoredEvent } from '#shared/run/sequencing.ts';
import { candidates, progressEvent } from '#test/support/events.ts';

const RUN = 'run-1';
const NOW = Date.parse('2026-12-02T10:00:00.000Z');
const LEASE = 10_000;
const limits = { maxEventsPerRun: 100, retentionDays: 30 };

/** A run whose seqs 1..n are confirmed, with the stored events and guards that go with them. */
function confirmedRun(n: number) {
  const offered = candidates(Array.from({ length: n }, (_, i) => progressEvent(RUN, { eventId: `old-${i + 1}` })));
  const stored = offered.map((candidate, i) => ({ event: toStoredEvent(candidate.event, i + 1, new Date(NOW).toISOString()), hash: candidate.hash }));
  const state = foldEvents(newRunState(RUN, 'server', new Date(NOW).toISOString()), stored.map(({ event }) => event), new Date(NOW).toISOString());
  return { offered, stored, state };
}

function given(overrides: Partial<PlanInput> & { candidates: readonly AppendCandidate[] }): PlanInput {
  return { runId: RUN, state: undefined, guards: new Map(), stored: new Map(), token: 'me', nowMs: NOW, leaseMs: LEASE, limits, ...overrides };
}

function commitOf(plan: AppendPlan) {
  if (plan.kind !== 'commit') throw new Error(`expected a commit, got ${plan.kind}`);
  return plan;
}

const storedMap = (entries: ReadonlyArray<readonly [number, StoredAt]>) => new Map(entries);
const guardsOf = (entries: readonly HeldGuard[]) => new Map(entries.map((guard) => [guard.eventId, guard]));

describe('planAppend (server-sequenced)', () => {
  it('gives a fresh run seqs 1..n in request order, claims them, and confirms them all', () => {
    const offered = candidates([progressEvent(RUN), progressEvent(RUN), progressEvent(RUN)]);
    const plan = commitOf(planAppend(given({ candidates: offered })));
    expect(plan.events.map(({ event }) => [event.eventId, event.seq])).toEqual(offered.map((candidate, i) => [candidate.event.eventId, i + 1]));
    expect(plan.guards.map((guard) => [guard.kind, guard.seq])).toEqual([['insert', 1], ['insert', 2], ['insert', 3]]);
    expect(plan.claimed?.claim).toEqual({ token: 'me', from: 1, ids: offered.map((candidate) => claimIdOf(candidate.event.eventId)), leaseUntil: NOW + LEASE });
    expect(plan.confirmed.claim).toBeUndefined();
    expect(lastSeqOf(plan.confirmed)).toBe(3);
    expect([...plan.outcomes.values()]).toEqual([1, 2, 3].map((seq) => ({ outcome: 'accepted', seq })));
  });

  it('continues after the confirmed prefix', () => {
    const { state } = confirmedRun(4);
    const plan = commitOf(planAppend(given({ state, candidates: candidates([progressEvent(RUN)]) })));
    expect(plan.events.map(({ event }) => event.seq)).toEqual([5]);
    expect(plan.claimed?.claim?.from).toBe(5);
  });

  it('waits while another writer holds a live claim, until its lease ends at the latest', () => {
    const { state } = confirmedRun(2);
    const busy: RunState = { ...state, claim: { token: 'other', from: 3, ids: ['x'], leaseUntil: NOW + 500 } };
    expect(planAppend(given({ state: busy, candidates: candidates([progressEvent(RUN)]) }))).toEqual({ kind: 'wait', untilMs: NOW + 500 });
  });

  it('answers duplicate with the original seq when the guard and its event agree, writing nothing', () => {
    const { state, offered, stored } = confirmedRun(3);
    const resent = offered[1];
    if (resent === undefined) throw new Error('fixture');
    const plan = planAppend(
      given({ state, candidates: [{ ...resent, index: 0 }], guards: guardsOf([{ eventId: resent.event.eventId, seq: 2, hash: resent.hash }]), stored: storedMap([[2, stored[1] as StoredAt]]) }),
    );
    expect(plan).toEqual({ kind: 'settled', outcomes: new Map([[0, { outcome: 'duplicate', seq: 2 }]]) });
  });

  it('answers conflict when the eventId comes back with another body', () => {
    const { state, stored } = confirmedRun(3);
    const changed = candidates([progressEvent(RUN, { eventId: 'old-2', payload: { progress: 0.9 } })]);
    const plan = planAppend(given({ state, candidates: changed, guards: guardsOf([{ eventId: 'old-2', seq: 2, hash: 'other' }]), stored: storedMap([[2, stored[1] as StoredAt]]) }));
    expect(plan.kind).toBe('settled');
    if (plan.kind === 'settled') expect(plan.outcomes.get(0)).toMatchObject({ outcome: 'conflict', seq: 2 });
  });

  it('treats a guard whose seq holds another event as stale: the event gets a new seq and the guard is replaced', () => {
    const { state, stored } = confirmedRun(3);
    // A writer crashed after its guard (-> seq 3) landed; seq 3 went to another event.
    const late = candidates([progressEvent(RUN, { eventId: 'lost' })]);
    const plan = commitOf(planAppend(given({ state, candidates: late, guards: guardsOf([{ eventId: 'lost', seq: 3, hash: late[0]?.hash ?? '' }]), stored: storedMap([[3, stored[2] as StoredAt]]) })));
    expect(plan.events.map(({ event }) => event.seq)).toEqual([4]);
    expect(plan.guards).toEqual([{ kind: 'replace', eventId: 'lost', seq: 4, hash: late[0]?.hash, staleSeq: 3 }]);
    expect(plan.outcomes.get(0)).toEqual({ outcome: 'accepted', seq: 4 });
  });

  it('takes over a crashed claim for a resend: stored events stay, the resent ones keep their claimed seqs', () => {
    const { state } = confirmedRun(2);
    const batch = candidates([progressEvent(RUN, { eventId: 'a' }), progressEvent(RUN, { eventId: 'b' }), progressEvent(RUN, { eventId: 'c' })]);
    const crashed: RunState = { ...state, claim: { token: 'dead', from: 3, ids: batch.map((c) => claimIdOf(c.event.eventId)), leaseUntil: NOW - 1 } };
    // 'b' landed at 4 before the crash (with its guard); 'a' and 'c' did not.
    const b = batch[1];
    if (b === undefined) throw new Error('fixture');
    const landed: StoredAt = { event: toStoredEvent(b.event, 4, 'earlier'), hash: b.hash };
    expect(seqsToRead(crashed, [], 'me', NOW)).toEqual([3, 4, 5]);
    const plan = commitOf(planAppend(given({ state: crashed, candidates: batch, guards: guardsOf([{ eventId: 'b', seq: 4, hash: b.hash }]), stored: storedMap([[4, landed]]) })));
    expect(plan.events.map(({ event }) => [event.eventId, event.seq])).toEqual([['a', 3], ['c', 5]]);
    expect(plan.claimed?.claim).toMatchObject({ token: 'me', from: 3 });
    expect(plan.confirmed.claim).toBeUndefined();
    expect(lastSeqOf(plan.confirmed)).toBe(5);
    expect(plan.outcomes).toEqual(new Map([[0, { outcome: 'accepted', seq: 3 }], [1, { outcome: 'duplicate', seq: 4 }], [2, { outcome: 'accepted', seq: 5 }]]));
  });

  it('gives an expired claim nobody resends to later events, keeping what it stored and renumbering nothing', () => {
    const { state } = confirmedRun(2);
    const crashedEvent = candidates([progressEvent(RUN, { eventId: 'crashed-2' })])[0];
    if (crashedEvent === undefined) throw new Error('fixture');
    const crashed: RunState = { ...state, claim: { token: 'dead', from: 3, ids: [claimIdOf('crashed-1'), claimIdOf('crashed-2')], leaseUntil: NOW - 1 } };
    const landed: StoredAt = { event: toStoredEvent(crashedEvent.event, 4, 'earlier'), hash: crashedEvent.hash };
    const mine = candidates([progressEvent(RUN, { eventId: 'x' }), progressEvent(RUN, { eventId: 'y' })]);
    const plan = commitOf(planAppend(given({ state: crashed, candidates: mine, stored: storedMap([[4, landed]]) })));
    expect(plan.events.map(({ event }) => [event.eventId, event.seq])).toEqual([['x', 3], ['y', 5]]);
    // The crashed writer's stored event keeps seq 4; its guard may be missing, so it is healed.
    expect(plan.guards).toContainEqual({ kind: 'heal', eventId: 'crashed-2', seq: 4, hash: crashedEvent.hash });
    expect(lastSeqOf(plan.confirmed)).toBe(5);
  });

  it('leaves a hole it cannot fill claimed and ownerless, and answers nothing above it', () => {
    const { state } = confirmedRun(2);
    const crashedEvent = candidates([progressEvent(RUN, { eventId: 'crashed-3' })])[0];
    if (crashedEvent === undefined) throw new Error('fixture');
    const crashed: RunState = { ...state, claim: { token: 'dead', from: 3, ids: ['p', 'q', claimIdOf('crashed-3')], leaseUntil: NOW - 1 } };
    const landed: StoredAt = { event: toStoredEvent(crashedEvent.event, 5, 'earlier'), hash: crashedEvent.hash };
    const plan = commitOf(planAppend(given({ state: crashed, candidates: candidates([progressEvent(RUN, { eventId: 'x' })]), stored: storedMap([[5, landed]]) })));
    expect(plan.events.map(({ event }) => event.seq)).toEqual([3]);
    expect(plan.outcomes.get(0)).toEqual({ outcome: 'accepted', seq: 3 });
    expect(lastSeqOf(plan.confirmed)).toBe(3);
    expect(plan.confirmed.claim).toEqual({ token: '', from: 4, ids: ['q', claimIdOf('crashed-3')], leaseUntil: 0 });
  });

  it('reads the summary again instead of answering duplicate for an event stored above what it knows is confirmed', () => {
    const { state } = confirmedRun(2);
    const resent = candidates([progressEvent(RUN, { eventId: 'landed' })]);
    const landed: StoredAt = { event: toStoredEvent(resent[0]?.event ?? progressEvent(RUN), 3, 'earlier'), hash: resent[0]?.hash ?? '' };
    const plan = planAppend(given({ state, candidates: resent, guards: guardsOf([{ eventId: 'landed', seq: 3, hash: landed.hash }]), stored: storedMap([[3, landed]]) }));
    expect(plan).toEqual({ kind: 'wait', untilMs: NOW });
  });

  it('continues its own claim after a refused write, whatever the lease says', () => {
    const { state } = confirmedRun(1);
    const mine: RunState = { ...state, claim: { token: 'me', from: 2, ids: [claimIdOf('x')], leaseUntil: NOW + 5000 } };
    const plan = commitOf(planAppend(given({ state: mine, candidates: candidates([progressEvent(RUN, { eventId: 'x' })]) })));
    expect(plan.events.map(({ event }) => event.seq)).toEqual([2]);
  });

  it('rejects events past the run limit and keeps the ones before it', () => {
    const { state } = confirmedRun(99);
    const plan = commitOf(planAppend(given({ state, candidates: candidates([progressEvent(RUN), progressEvent(RUN)]) })));
    expect(plan.outcomes.get(0)).toEqual({ outcome: 'accepted', seq: 100 });
    expect(plan.outcomes.get(1)).toMatchObject({ outcome: 'rejected' });
  });
});

/** A producer-sequenced run holding `seqs`, with the stored events that go with them. */
function producerRun(seqs: readonly number[]) {
  const offered = candidates(seqs.map((seq) => progressEvent(RUN, { eventId: `p-${seq}`, seq })));
  const stored = offered.map((candidate) => ({ event: toStoredEvent(candidate.event, candidate.event.seq ?? 0, new Date(NOW).toISOString()), hash: candidate.hash }));
  const state = foldEvents(newRunState(RUN, 'producer', new Date(NOW).toISOString()), stored.map(({ event }) => event), new Date(NOW).toISOString());
  return { offered, stored: new Map(stored.map((at) => [at.event.seq, at] as const)), state };
}

const withSeqs = (...seqs: number[]) => candidates(seqs.map((seq) => progressEvent(RUN, { eventId: `new-${seq}`, seq })));

describe('planAppend (producer-sequenced)', () => {
  it('claims a fresh run’s seqs as given, writes the events without a condition, and confirms them with the claims dropped', () => {
    const offered = withSeqs(1, 2, 5);
    expect(seqsToRead(undefined, [], 'me', NOW, offered)).toEqual([]);
    const plan = commitOf(planAppend(given({ candidates: offered })));
    expect(plan.claimed?.mode).toBe('producer');
    expect(plan.claimed?.reserved).toEqual(offered.map((candidate) => [candidate.event.seq, claimHash(candidate.hash)]));
    expect(plan.claimed?.claim).toBeUndefined();
    expect(plan.guards).toEqual([]);
    expect(plan.events.map(({ event, ifFree, dense }) => [event.seq, ifFree, dense])).toEqual([[1, false, false], [2, false, false], [5, false, false]]);
    expect(plan.confirmed.reserved).toEqual([]);
    expect(plan.confirmed.seqs).toEqual([[1, 2], [5, 5]]);
    expect([...plan.outcomes.values()]).toEqual([1, 2, 5].map((seq) => ({ outcome: 'accepted', seq })));
  });

  it('reports the gaps as missing seqs and fills them later at the seqs given', () => {
    const { state, stored } = producerRun([1, 2, 5]);
    expect(toRunSummary(state).missingSeqs).toEqual([3, 4]);
    const offered = withSeqs(4, 3);
    expect(seqsToRead(state, [], 'me', NOW, offered)).toEqual([]);
    const plan = commitOf(planAppend(given({ state, candidates: offered, stored })));
    expect(plan.events.map(({ event }) => event.seq)).toEqual([4, 3]);
    expect(plan.outcomes).toEqual(new Map([[0, { outcome: 'accepted', seq: 4 }], [1, { outcome: 'accepted', seq: 3 }]]));
    expect(toRunSummary(plan.confirmed)).toMatchObject({ lastSeq: 5, eventCount: 5, missingSeqs: [] });
  });

  it('answers duplicate for the same event at the same seq, reading only that seq and writing nothing', () => {
    const { state, stored, offered } = producerRun([1, 2, 3]);
    const resent = { ...(offered[1] as AppendCandidate), index: 0 };
    expect(seqsToRead(state, [], 'me', NOW, [resent])).toEqual([2]);
    expect(planAppend(given({ state, candidates: [resent], stored }))).toEqual({ kind: 'settled', outcomes: new Map([[0, { outcome: 'duplicate', seq: 2 }]]) });
  });

  it('answers conflict when the seq is taken by another eventId, or the eventId comes back at its seq with another body', () => {
    const { state, stored } = producerRun([1, 2]);
    const other = candidates([progressEvent(RUN, { eventId: 'intruder', seq: 2 }), progressEvent(RUN, { eventId: 'p-1', seq: 1, payload: { progress: 0.9 } })]);
    const plan = planAppend(given({ state, candidates: other, stored }));
    if (plan.kind !== 'settled') throw new Error(`expected settled, got ${plan.kind}`);
    expect(plan.outcomes.get(0)).toMatchObject({ outcome: 'conflict', seq: 2, message: expect.stringContaining("seq 2 is already taken by eventId 'p-2'") });
    expect(plan.outcomes.get(1)).toMatchObject({ outcome: 'conflict', seq: 1, message: expect.stringContaining('different content') });
  });

  it('answers conflict for a seq another event has claimed and not yet written, and claims nothing for it', () => {
    const { state, stored } = producerRun([1]);
    const busy: RunState = { ...state, reserved: [[2, 'someone-else']] };
    const plan = planAppend(given({ state: busy, candidates: withSeqs(2), stored }));
    expect(plan).toEqual({ kind: 'settled', outcomes: new Map([[0, { outcome: 'conflict', seq: 2, message: 'seq 2 is already claimed by another event' }]]) });
  });

  it('writes a crashed writer’s resent events again at their claimed seqs, only where still free, without claiming again', () => {
    const { state, stored } = producerRun([1]);
    const batch = withSeqs(2, 3);
    // The writer crashed after its claim: neither event landed.
    const crashed: RunState = { ...state, reserved: batch.map((candidate) => [candidate.event.seq ?? 0, claimHash(candidate.hash)]) };
    expect(seqsToRead(crashed, [], 'me', NOW, batch)).toEqual([2, 3]);
    const plan = commitOf(planAppend(given({ state: crashed, candidates: batch, stored })));
    expect(plan.claimed).toBeUndefined();
    expect(plan.events.map(({ event, ifFree }) => [event.seq, ifFree])).toEqual([[2, true], [3, true]]);
    expect(plan.confirmed).toMatchObject({ seqs: [[1, 3]], reserved: [] });
    expect([...plan.outcomes.values()]).toEqual([2, 3].map((seq) => ({ outcome: 'accepted', seq })));
  });

  it('answers a resend after a crash past the write with duplicate and confirms the stored events', () => {
    const { state, stored } = producerRun([1]);
    const batch = withSeqs(2, 3);
    const crashed: RunState = { ...state, reserved: batch.map((candidate) => [candidate.event.seq ?? 0, claimHash(candidate.hash)]) };
    const landed = new Map([...stored, ...batch.map((candidate) => [candidate.event.seq ?? 0, { event: toStoredEvent(candidate.event, candidate.event.seq ?? 0, 'earlier'), hash: candidate.hash }] as const)]);
    const plan = commitOf(planAppend(given({ state: crashed, candidates: batch, stored: landed })));
    expect(plan.events).toEqual([]);
    expect(plan.confirmed).toMatchObject({ seqs: [[1, 3]], reserved: [] });
    expect([...plan.outcomes.values()]).toEqual([2, 3].map((seq) => ({ outcome: 'duplicate', seq })));
  });

  it('confirms another writer’s claimed events it finds stored, and leaves claims whose events have not landed', () => {
    const { state, stored } = producerRun([1]);
    const theirs = withSeqs(3)[0] as AppendCandidate;
    const claimedByOthers: RunState = { ...state, reserved: [[3, claimHash(theirs.hash)], [4, 'not-landed']] };
    const landed = new Map([...stored, [3, { event: toStoredEvent(theirs.event, 3, 'earlier'), hash: theirs.hash }] as const]);
    const mine = withSeqs(2);
    expect(seqsToRead(claimedByOthers, [], 'me', NOW, mine)).toEqual([3, 4]);
    const plan = commitOf(planAppend(given({ state: claimedByOthers, candidates: mine, stored: landed })));
    expect(plan.claimed?.reserved).toEqual([[3, claimHash(theirs.hash)], [4, 'not-landed'], [2, claimHash(mine[0]?.hash ?? '')]]);
    expect(plan.confirmed).toMatchObject({ seqs: [[1, 3]], reserved: [[4, 'not-landed']] });
  });

  it('rejects a seq past the run limit with the seq field at fault and keeps the others, also once the run is full', () => {
    const small = { maxEventsPerRun: 3, retentionDays: 30 };
    const { state, stored } = producerRun([1]);
    const plan = commitOf(planAppend(given({ state, candidates: withSeqs(4, 2, 3), stored, limits: small })));
    expect(plan.outcomes.get(0)).toMatchObject({ outcome: 'rejected', field: 'seq' });
    expect(plan.outcomes.get(1)).toEqual({ outcome: 'accepted', seq: 2 });
    expect(plan.outcomes.get(2)).toEqual({ outcome: 'accepted', seq: 3 });
    // Full: nothing is claimed, and a seq past the limit is refused without writing anything.
    const full = producerRun([1, 2, 3]);
    const beyond = planAppend(given({ state: full.state, candidates: withSeqs(4), stored: full.stored, limits: small }));
    expect(beyond).toEqual({ kind: 'settled', outcomes: new Map([[0, expect.objectContaining({ outcome: 'rejected', field: 'seq' })]]) });
  });
});
