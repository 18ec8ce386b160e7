import type { RunState } from './run-state.ts';

/**
 * Seq reservations of producer-sequenced runs. A batch first claims its seqs in the run state (one
 * conditional write, the serialization point between concurrent writers), then writes its events
 * without conditions, then confirms: folds them in and drops the claims. A claim left behind by a
 * crash is taken up again by a resend of the same event, or confirmed by the next writer that
 * finds the event stored.
 */

/** 72 bits of the event hash: plenty to tell two events claiming one seq apart. */
const CLAIM_HASH_LENGTH = 12;

export function claimHash(hash: string): string {
  return hash.slice(0, CLAIM_HASH_LENGTH);
}

export function claimOf(state: RunState, seq: number): string | undefined {
  return state.reserved.find(([claimed]) => claimed === seq)?.[1];
}

export function addClaims(state: RunState, claims: ReadonlyArray<{ seq: number; hash: string }>): RunState {
  return { ...state, reserved: [...state.reserved, ...claims.map(({ seq, hash }): [number, string] => [seq, claimHash(hash)])] };
}

export function dropClaims(state: RunState, seqs: Iterable<number>): RunState {
  const dropped = new Set(seqs);
  return { ...state, reserved: state.reserved.filter(([seq]) => !dropped.has(seq)) };
}
