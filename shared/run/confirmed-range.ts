import type { RunState } from './run-state.ts';
import { maxSeq } from './seq-ranges.ts';

/** Seqs `from..to` (inclusive) of one run. */
export type SeqRange = { readonly from: number; readonly to: number };

/**
 * The seqs a server-sequenced summary write confirms: the events between the dense prefix it
 * replaces and its own. The summary item carries this range so the relay publishes exactly those
 * events from the confirm's stream record, in seq order, once each (the ranges of a run's confirms
 * never overlap: each starts right after the previous prefix). Undefined when the write confirms
 * nothing (a claim, a settled write) and for producer-sequenced runs, whose events are published
 * from their own stream records since their runs may have gaps by design.
 */
export function newlyConfirmed(previous: RunState | undefined, next: RunState): SeqRange | undefined {
  if (next.mode !== 'server') return undefined;
  const from = (previous === undefined ? 0 : maxSeq(previous.seqs)) + 1;
  const to = maxSeq(next.seqs);
  return to >= from ? { from, to } : undefined;
}
