/**
 * The set of seqs a run holds, as sorted, merged, inclusive ranges: [[1, 40], [43, 50]].
 * Compact for the common cases (dense, or dense with a few holes) so it fits in the run summary.
 */
export type SeqRanges = Array<[number, number]>;

export function addSeq(ranges: SeqRanges, seq: number): SeqRanges {
  if (hasSeq(ranges, seq)) return ranges;
  const single: [number, number] = [seq, seq];
  const sorted: SeqRanges = [...ranges, single].sort((a, b) => a[0] - b[0]);
  const merged: SeqRanges = [];
  for (const range of sorted) {
    const last = merged.at(-1);
    if (last !== undefined && last[1] >= range[0] - 1) merged[merged.length - 1] = [last[0], Math.max(last[1], range[1])];
    else merged.push(range);
  }
  return merged;
}

export function hasSeq(ranges: SeqRanges, seq: number): boolean {
  return ranges.some(([start, end]) => seq >= start && seq <= end);
}

export function countSeqs(ranges: SeqRanges): number {
  return ranges.reduce((total, [start, end]) => total + end - start + 1, 0);
}

export function maxSeq(ranges: SeqRanges): number {
  return ranges.at(-1)?.[1] ?? 0;
}

/** The holes below the highest seq, ascending, at most `limit` of them. */
export function missingSeqs(ranges: SeqRanges, limit: number): number[] {
  const missing: number[] = [];
  let expected = 1;
  for (const [start, end] of ranges) {
    for (let seq = expected; seq < start && missing.length < limit; seq++) missing.push(seq);
    expected = end + 1;
  }
  return missing;
}

/**
 * The highest seq s such that every seq in (after, s] is held: how far a reader that has seen
 * everything up to `after` can go without skipping a hole. `after` itself when after + 1 is missing.
 */
export function heldThrough(ranges: SeqRanges, after: number): number {
  const range = ranges.find(([start, end]) => after + 1 >= start && after + 1 <= end);
  return range === undefined ? after : range[1];
}
