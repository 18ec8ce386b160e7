import { describe, expect, it } from 'vitest';
import { addSeq, countSeqs, hasSeq, heldThrough, maxSeq, missingSeqs, type SeqRanges } from '#shared/run/seq-ranges.ts';

const build = (...seqs: number[]) => seqs.reduce<SeqRanges>((ranges, seq) => addSeq(ranges, seq), []);

describe('seq ranges', () => {
  it('merges adjacent seqs into one range whatever the order', () => {
    expect(build(3, 1, 2)).toEqual([[1, 3]]);
    expect(build(5, 1, 3, 2, 4)).toEqual([[1, 5]]);
  });

  it('keeps holes as separate ranges and lists them', () => {
    const ranges = build(1, 2, 5, 9);
    expect(ranges).toEqual([[1, 2], [5, 5], [9, 9]]);
    expect(missingSeqs(ranges, 100)).toEqual([3, 4, 6, 7, 8]);
    expect(missingSeqs(ranges, 2)).toEqual([3, 4]);
    expect(countSeqs(ranges)).toBe(4);
    expect(maxSeq(ranges)).toBe(9);
  });

  it('reports seqs below the first one as missing', () => {
    expect(missingSeqs(build(3), 10)).toEqual([1, 2]);
  });

  it('adds a seq it already holds without change', () => {
    const ranges = build(1, 2, 3);
    expect(addSeq(ranges, 2)).toBe(ranges);
    expect(hasSeq(ranges, 2)).toBe(true);
    expect(hasSeq(ranges, 4)).toBe(false);
  });
});

describe('heldThrough: how far a reader can go without skipping a hole', () => {
  it.each([
    [[], 0, 0],
    [[[1, 5]], 0, 5],
    [[[1, 5]], 5, 5],
    [[[1, 5], [7, 9]], 3, 5],
    [[[1, 5], [7, 9]], 5, 5],
    [[[1, 5], [7, 9]], 6, 9],
    [[[2, 5]], 0, 0],
  ] as Array<[SeqRanges, number, number]>)('ranges %j after %i: through %i', (ranges, after, expected) => {
    expect(heldThrough(ranges, after)).toBe(expected);
  });
});
