import { describe, expect, it } from 'vitest';
import { compilePattern, InvalidPatternError } from '#shared/bus/event-pattern.ts';
import { INVALID_PATTERNS, PATTERN_CASES } from '#test/fixtures/eventbridge-pattern-examples.ts';

describe('EventBridge pattern matcher against the user guide examples', () => {
  it.each(PATTERN_CASES.map((testCase) => [testCase.name, testCase] as const))('%s', (_name, { pattern, event, matches }) => {
    expect(compilePattern(pattern)(event)).toBe(matches);
  });

  it('covers both outcomes for many patterns', () => {
    expect(PATTERN_CASES.filter((testCase) => testCase.matches).length).toBeGreaterThan(50);
    expect(PATTERN_CASES.filter((testCase) => !testCase.matches).length).toBeGreaterThan(50);
  });
});

describe('EventBridge pattern validation', () => {
  it.each(INVALID_PATTERNS.map((testCase) => [testCase.name, testCase] as const))('rejects %s', (_name, { pattern }) => {
    expect(() => compilePattern(pattern)).toThrow(InvalidPatternError);
  });
});
