import type { DeliveryFailure, LedgerPage, ReplayRecord, ReplayStatus, SubscriberKind } from './ports.ts';

export const DELIVERY_STATUSES = ['delivered', 'pending', 'failed', 'dead'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** What `GET /v1/runs/{runId}/deliveries` shows of one subscriber. */
export type SubscriberDeliveries = {
  subscriber: string;
  kind: SubscriberKind;
  /** Delivered seqs as inclusive ranges, in order. */
  delivered: Array<{ fromSeq: number; toSeq: number }>;
  deliveredCount: number;
  /** Events not (yet) delivered, by seq: pending, failed (retrying) or dead. */
  undelivered: Array<{ seq: number; status: 'pending' | 'failed' | 'dead'; attempts: number; lastAttemptAt?: string; lastError?: string; webhookId?: string }>;
  /** Replays of the run to this subscriber, oldest first: the range queued, how far each got (`nextSeq`) and its status. Absent when there is none (or a status filter is given). */
  replays?: Array<{ replayId: string; fromSeq: number; toSeq: number; nextSeq: number; status: ReplayStatus; queuedAt: string; updatedAt: string }>;
};

/** Sorted distinct seqs as inclusive ranges: [1,2,3,7] -> 1-3, 7-7. */
export function toRanges(seqs: Iterable<number>): Array<{ fromSeq: number; toSeq: number }> {
  const sorted = [...new Set(seqs)].sort((a, b) => a - b);
  const ranges: Array<{ fromSeq: number; toSeq: number }> = [];
  for (const seq of sorted) {
    const last = ranges.at(-1);
    if (last !== undefined && last.toSeq + 1 === seq) last.toSeq = seq;
    else ranges.push({ fromSeq: seq, toSeq: seq });
  }
  return ranges;
}

/**
 * A ledger page as the API answers it: per subscriber, delivered ranges and what is not delivered.
 * A failure record of a seq that was delivered since is superseded and not shown (successes do
 * not delete failure records: that would cost a write per success). `status` keeps only
 * subscribers with something in that state (and only those entries).
 */
export function toSubscriberDeliveries(page: Pick<LedgerPage, 'delivered' | 'failures' | 'replays'>, filter: { subscriber?: string | undefined; status?: DeliveryStatus | undefined } = {}): SubscriberDeliveries[] {
  const bySubscriber = new Map<string, { kind: SubscriberKind; seqs: Set<number>; failures: DeliveryFailure[]; replays: ReplayRecord[] }>();
  const entryOf = (subscriber: string, kind: SubscriberKind) => {
    let entry = bySubscriber.get(subscriber);
    if (entry === undefined) {
      entry = { kind, seqs: new Set(), failures: [], replays: [] };
      bySubscriber.set(subscriber, entry);
    }
    return entry;
  };
  for (const block of page.delivered) for (const seq of block.seqs) entryOf(block.subscriber, block.kind).seqs.add(seq);
  for (const failure of page.failures) entryOf(failure.subscriber, failure.kind).failures.push(failure);
  for (const replay of page.replays ?? []) entryOf(replay.subscriber, replay.kind).replays.push(replay);
  const answer: SubscriberDeliveries[] = [];
  for (const [subscriber, entry] of [...bySubscriber].sort(([a], [b]) => a.localeCompare(b))) {
    if (filter.subscriber !== undefined && filter.subscriber !== subscriber) continue;
    const undelivered = entry.failures
      .filter((failure) => !entry.seqs.has(failure.seq))
      .filter((failure) => filter.status === undefined || filter.status === failure.status)
      .sort((a, b) => a.seq - b.seq)
      .map(({ seq, status, attempts, lastAttemptAt, lastError, webhookId }) => ({
        seq,
        status,
        attempts,
        ...(lastAttemptAt === undefined ? {} : { lastAttemptAt }),
        ...(lastError === undefined ? {} : { lastError }),
        ...(webhookId === undefined ? {} : { webhookId }),
      }));
    const delivered = filter.status === undefined || filter.status === 'delivered' ? toRanges(entry.seqs) : [];
    if (filter.status !== undefined && delivered.length === 0 && undelivered.length === 0) continue;
    // Replays have states of their own, not delivery states: a status filter leaves them out.
    const replays =
      filter.status === undefined
        ? entry.replays
            .sort((a, b) => a.queuedAt.localeCompare(b.queuedAt) || a.replayId.localeCompare(b.replayId))
            .map(({ replayId, fromSeq, toSeq, nextSeq, status, queuedAt, updatedAt }) => ({ replayId, fromSeq, toSeq, nextSeq, status, queuedAt, updatedAt }))
        : [];
    answer.push({ subscriber, kind: entry.kind, delivered, deliveredCount: filter.status === undefined || filter.status === 'delivered' ? entry.seqs.size : 0, undelivered, ...(replays.length === 0 ? {} : { replays }) });
  }
  return answer;
}
