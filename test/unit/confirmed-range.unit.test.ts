import { describe, expect, it } from 'vitest';
import { newlyConfirmed } from '#shared/run/confirmed-range.ts';
import { newRunState, type RunState } from '#shared/run/run-state.ts';

const at = '2026-12-02T10:00:00Z';
const server = (seqs: RunState['seqs'], claim?: RunState['claim']): RunState => ({ ...newRunState('r', 'server', at), seqs, ...(claim === undefined ? {} : { claim }) });
const claim = { token: 't', from: 11, ids: ['a', 'b'], leaseUntil: 1 };

describe('the seqs a summary write confirms', () => {
  it('names the first confirm of a new run from seq 1', () => {
    expect(newlyConfirmed(undefined, server([[1, 25]]))).toEqual({ from: 1, to: 25 });
  });

  it('names only what follows the prefix it replaces', () => {
    expect(newlyConfirmed(server([[1, 10]], claim), server([[1, 12]]))).toEqual({ from: 11, to: 12 });
  });

  it('names nothing for a claim, or a confirm that leaves the prefix where it was', () => {
    expect(newlyConfirmed(undefined, server([], claim))).toBeUndefined();
    expect(newlyConfirmed(server([[1, 10]]), server([[1, 10]], claim))).toBeUndefined();
    expect(newlyConfirmed(server([[1, 10]], claim), server([[1, 10]], { ...claim, token: '', leaseUntil: 0 }))).toBeUndefined();
  });

  it('names nothing for producer-sequenced runs (published from their own event items)', () => {
    const producer = (seqs: RunState['seqs']): RunState => ({ ...newRunState('r', 'producer', at), seqs });
    expect(newlyConfirmed(producer([[1, 2]]), producer([[1, 2], [4, 4]]))).toBeUndefined();
  });
});
