import { describe, expect, it } from 'vitest';
import { compilePattern, InvalidPatternError } from '#shared/bus/event-pattern.ts';
import { toEventPattern } from '#shared/bus/observer-filter.ts';
import { makePublishFilter } from '#shared/bus/publish-filter.ts';

const busEvent = (type: string, detail: Record<string, unknown> = {}) => ({ source: 'runledger', 'detail-type': type, detail });

describe('observer filters', () => {
  it('turns a preset into a pattern on source and detail-type', () => {
    const minimal = toEventPattern({ preset: 'minimal' });
    expect(compilePattern(minimal)(busEvent('run.failed'))).toBe(true);
    expect(compilePattern(minimal)(busEvent('token'))).toBe(false);
    expect(compilePattern(minimal)(busEvent('custom:deploy'))).toBe(false);
    const debug = toEventPattern({ preset: 'debug' });
    expect(compilePattern(debug)(busEvent('run.heartbeat'))).toBe(true);
    expect(compilePattern(debug)(busEvent('custom:deploy'))).toBe(true);
    expect(compilePattern(debug)(busEvent('token'))).toBe(false);
    expect(compilePattern(toEventPattern({ preset: 'all' }))(busEvent('token'))).toBe(true);
  });

  it('turns a type list into a pattern, custom:* as a prefix', () => {
    const pattern = toEventPattern({ types: ['run.failed', 'custom:*'] });
    expect(pattern).toEqual({ source: ['runledger'], 'detail-type': ['run.failed', { prefix: 'custom:' }] });
    expect(compilePattern(pattern)(busEvent('custom:anything'))).toBe(true);
    expect(compilePattern(pattern)(busEvent('run.completed'))).toBe(false);
  });

  it('scopes a given pattern to runledger and refuses one EventBridge would refuse', () => {
    const pattern = toEventPattern({ pattern: { detail: { tenant: ['acme'] } } });
    expect(compilePattern(pattern)(busEvent('run.failed', { tenant: 'acme' }))).toBe(true);
    expect(compilePattern(pattern)({ ...busEvent('run.failed', { tenant: 'acme' }), source: 'other' })).toBe(false);
    expect(() => toEventPattern({ pattern: { detail: { tenant: 'acme' } } })).toThrow(InvalidPatternError);
  });
});

describe('publish filter', () => {
  it('publishes a type only when some pattern can match it', () => {
    const shouldPublish = makePublishFilter([toEventPattern({ preset: 'minimal' }), toEventPattern({ types: ['custom:*'] })]);
    expect(shouldPublish('run.failed')).toBe(true);
    expect(shouldPublish('custom:x')).toBe(true);
    expect(shouldPublish('token')).toBe(false);
    expect(shouldPublish('run.progress')).toBe(false);
  });

  it('publishes every type for a pattern that does not look at detail-type', () => {
    const shouldPublish = makePublishFilter([toEventPattern({ pattern: { detail: { tenant: ['acme'] } } })]);
    expect(shouldPublish('token')).toBe(true);
  });

  it('publishes nothing when nobody subscribed', () => {
    expect(makePublishFilter([])('run.failed')).toBe(false);
  });
});
