import { describe, expect, it } from 'vitest';
import { KNOWN_EVENT_TYPES } from '#shared/contract/event.ts';
import { toEventPattern, type ObserverFilter } from '#shared/bus/observer-filter.ts';
import { makePublishFilter } from '#shared/bus/publish-filter.ts';
import { CUSTOM_MATCHERS_BUDGET, summarizePublishPatterns } from '#shared/bus/publish-summary.ts';

const patternsOf = (filters: ObserverFilter[]) => filters.map((filter) => toEventPattern(filter));
const CUSTOM_SAMPLES = ['custom:a', 'custom:deploy.done', 'custom:team-7.event', 'custom:x_y'];

/** Every known type and a few custom ones: what the summary decides against what the full patterns decide. */
function decisions(patterns: Array<Record<string, unknown>>) {
  const full = makePublishFilter(patterns);
  const summary = makePublishFilter(summarizePublishPatterns(patterns));
  return [...KNOWN_EVENT_TYPES, ...CUSTOM_SAMPLES].map((type) => ({ type, full: full(type), summary: summary(type) }));
}

describe('publish summary: the relay’s filter as one small pattern', () => {
  it('given presets, type lists and patterns, publishes exactly the known types the full patterns would', () => {
    const patterns = patternsOf([
      { preset: 'minimal' },
      { types: ['task.retrying', 'custom:deploy.done'] },
      { pattern: { 'detail-type': ['step'], detail: { tenant: ['acme'] } } },
      { pattern: { 'detail-type': [{ prefix: 'message.' }] } },
    ]);
    for (const { type, full, summary } of decisions(patterns)) expect({ type, summary }).toEqual({ type, summary: full });
    expect(makePublishFilter(summarizePublishPatterns(patterns))('token')).toBe(false);
  });

  it('keeps custom types that are named, and a custom prefix or wildcard, as they are', () => {
    const patterns = patternsOf([{ types: ['custom:deploy.done'] }, { pattern: { 'detail-type': [{ prefix: 'custom:team-' }, { wildcard: 'custom:*_y' }] } }]);
    expect(summarizePublishPatterns(patterns)).toEqual([{ source: ['runledger'], 'detail-type': ['custom:deploy.done', { prefix: 'custom:team-' }, { wildcard: 'custom:*_y' }] }]);
    for (const { type, full, summary } of decisions(patterns)) expect({ type, summary }).toEqual({ type, summary: full });
  });

  it('given an operator that could match any type (suffix), stays exact on known types and publishes every custom type', () => {
    const patterns = patternsOf([{ pattern: { 'detail-type': [{ suffix: '.failed' }] } }]);
    const summary = makePublishFilter(summarizePublishPatterns(patterns));
    for (const type of KNOWN_EVENT_TYPES) expect({ type, wanted: summary(type) }).toEqual({ type, wanted: type.endsWith('.failed') });
    expect(summary('custom:whatever')).toBe(true);
  });

  it('given 100 observers each naming its own custom types, stays under its budget and still publishes every one of them', () => {
    const filters: ObserverFilter[] = Array.from({ length: 100 }, (_, index) => ({ types: ['run.failed', `custom:team-${index}.deployment-finished`, `custom:team-${index}.deployment-started`] }));
    const patterns = patternsOf(filters);
    expect(JSON.stringify(patterns).length).toBeGreaterThan(4096);
    const summary = summarizePublishPatterns(patterns);
    expect(JSON.stringify(summary).length).toBeLessThan(CUSTOM_MATCHERS_BUDGET);
    const shouldPublish = makePublishFilter(summary);
    for (let index = 0; index < 100; index++) expect(shouldPublish(`custom:team-${index}.deployment-finished`)).toBe(true);
    expect(shouldPublish('run.failed')).toBe(true);
    expect(shouldPublish('run.completed')).toBe(false);
  });

  it('is at most the known types plus its custom budget, whatever the observers ask for', () => {
    const everyKnown = patternsOf(KNOWN_EVENT_TYPES.map((type) => ({ types: [type, `custom:${type.replace('.', '-')}-${'x'.repeat(40)}`] })));
    const text = JSON.stringify(summarizePublishPatterns(everyKnown));
    expect(text.length).toBeLessThanOrEqual(JSON.stringify(KNOWN_EVENT_TYPES).length + CUSTOM_MATCHERS_BUDGET + 64);
  });

  it('wants everything once a pattern does not look at detail-type', () => {
    const summary = summarizePublishPatterns(patternsOf([{ preset: 'minimal' }, { pattern: { detail: { tenant: ['acme'] } } }]));
    expect(summary).toEqual([{ source: ['runledger'] }]);
    expect(makePublishFilter(summary)('token')).toBe(true);
  });

  it('wants everything, as one short pattern, for the preset all', () => {
    expect(summarizePublishPatterns(patternsOf([{ preset: 'all' }, { preset: 'chat' }]))).toEqual([{ source: ['runledger'] }]);
  });

  it('publishes nothing when nobody subscribed', () => {
    expect(makePublishFilter(summarizePublishPatterns([]))('run.failed')).toBe(false);
  });
});
