import type { AppendCandidate, AppendOutcome } from '../ports.ts';

/** At most this many events in one grouped turn (a claim's ids are kept in the run summary). */
const MAX_GROUP_EVENTS = 500;

type Waiting = {
  readonly candidates: readonly AppendCandidate[];
  readonly resolve: (outcomes: AppendOutcome[]) => void;
  readonly reject: (error: unknown) => void;
};

/**
 * Groups concurrent appends to one run inside one process: while a run's turn is in flight, the
 * requests that arrive wait, and the next turn appends all of them as one batch (one claim, one
 * confirm). Writers to one run take turns anyway (claims.ts); grouping makes each turn carry more
 * events instead of making same-process writers collide. Correctness never depends on it.
 */
export class AppendGroups {
  readonly #queues = new Map<string, Waiting[]>();

  append(key: string, candidates: readonly AppendCandidate[], appendBatch: (candidates: readonly AppendCandidate[]) => Promise<AppendOutcome[]>): Promise<AppendOutcome[]> {
    return new Promise((resolve, reject) => {
      const queue = this.#queues.get(key);
      const waiting = { candidates, resolve, reject };
      if (queue !== undefined) {
        queue.push(waiting);
        return;
      }
      this.#queues.set(key, [waiting]);
      void this.#drain(key, appendBatch);
    });
  }

  async #drain(key: string, appendBatch: (candidates: readonly AppendCandidate[]) => Promise<AppendOutcome[]>): Promise<void> {
    for (;;) {
      const queue = this.#queues.get(key) ?? [];
      const turn: Waiting[] = [];
      let size = 0;
      while (queue.length > 0 && (turn.length === 0 || size + (queue[0]?.candidates.length ?? 0) <= MAX_GROUP_EVENTS)) {
        const next = queue.shift();
        if (next === undefined) break;
        turn.push(next);
        size += next.candidates.length;
      }
      if (turn.length === 0) {
        this.#queues.delete(key);
        return;
      }
      const merged: AppendCandidate[] = [];
      for (const { candidates } of turn) for (const candidate of candidates) merged.push({ ...candidate, index: merged.length });
      try {
        const outcomes = await appendBatch(merged);
        let offset = 0;
        for (const waiting of turn) {
          waiting.resolve(outcomes.slice(offset, offset + waiting.candidates.length));
          offset += waiting.candidates.length;
        }
      } catch (error: unknown) {
        for (const waiting of turn) waiting.reject(error);
      }
    }
  }
}
