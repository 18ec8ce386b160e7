import { randomBytes } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { eventItem, guardItem } from '#adapters/dynamodb/item-codec.ts';
import { MAX_EVENT_BYTES } from '#shared/contract/limits.ts';
import { validateEvent } from '#shared/contract/validate-event.ts';
import type { StoredEvent } from '#shared/contract/event.ts';
import { eventHash } from '#shared/run/event-hash.ts';
import { deflateBound, ITEM_COLLECTION_LIMIT_BYTES, maxEventsPerRunWithin, RUN_ITEM_LAYOUT, worstCaseBytesPerEvent, worstCaseRunBytes, type RunItemLayout } from '#infra/limits.ts';

/**
 * An item's size as DynamoDB counts it (attribute names plus values), rounded up: a string its
 * UTF-8 bytes, binary its length, a number its most (21 bytes). Only ever over, never under.
 */
function itemBytes(item: Record<string, unknown>): number {
  return Object.entries(item).reduce((total, [name, value]) => total + Buffer.byteLength(name) + valueBytes(value), 0);
}

function valueBytes(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number') return 21;
  if (value instanceof Uint8Array) return value.byteLength;
  throw new Error(`no size rule for ${typeof value}`);
}

const id = (char: string) => char.repeat(128);
// Four UTF-8 bytes a character, each percent-encoded in the index key: the longest taskSeq there is.
const longestTaskId = '\u{1F600}'.repeat(256);

/** The largest task event the contract accepts: every id at its maximum, the rest incompressible filler. */
function largestTaskEvent(): StoredEvent {
  const base = { eventId: id('e'), runId: id('r'), threadId: id('t'), type: 'task.started', occurredAt: '2026-11-23T10:00:00.000+00:00', payload: { taskId: longestTaskId, filler: '' } };
  const room = MAX_EVENT_BYTES - Buffer.byteLength(JSON.stringify(base));
  // base64 of random bytes: JSON-safe, and deflate gains little on it.
  const filler = randomBytes(room).toString('base64').slice(0, room);
  const validation = validateEvent({ ...base, payload: { ...base.payload, filler } }, '');
  if (!validation.ok) throw new Error(JSON.stringify(validation.errors));
  expect(Buffer.byteLength(JSON.stringify(validation.event))).toBe(MAX_EVENT_BYTES);
  return { ...validation.event, seq: 9_999_999_999, receivedAt: '2026-11-23T10:00:00.123456+00:00' };
}

describe('deflateBound', () => {
  it('is never less than what raw deflate makes of incompressible bytes', () => {
    for (const size of [0, 1, 1024, MAX_EVENT_BYTES, MAX_EVENT_BYTES + 256, 1_000_000]) {
      const deflated = deflateRawSync(randomBytes(size)).byteLength;
      expect(deflated).toBeGreaterThanOrEqual(size);
      expect(deflateBound(size)).toBeGreaterThanOrEqual(deflated);
    }
  });
});

describe('the run item layout bounds the items the store really writes', () => {
  const event = largestTaskEvent();
  const expiresAt = 9_999_999_999;

  it('an event item of the largest task event fits the body and overhead bounds', () => {
    const item = eventItem('t'.repeat(64), event, eventHash(event), expiresAt);
    expect(item.taskSeq).toBeDefined();
    expect(item.body.byteLength).toBeLessThanOrEqual(RUN_ITEM_LAYOUT.eventBodyBytes);
    expect(itemBytes(item)).toBeLessThanOrEqual(RUN_ITEM_LAYOUT.eventBodyBytes + RUN_ITEM_LAYOUT.eventItemOverheadBytes);
  });

  it('a custom event with the longest type fits too (no taskSeq, a longer type)', () => {
    const custom: StoredEvent = { ...event, type: `custom:${'n'.repeat(64)}`, payload: {} };
    expect(itemBytes(eventItem('t'.repeat(64), custom, eventHash(custom), expiresAt))).toBeLessThanOrEqual(RUN_ITEM_LAYOUT.eventBodyBytes + RUN_ITEM_LAYOUT.eventItemOverheadBytes);
  });

  it('a guard item fits the guard bound', () => {
    expect(itemBytes(guardItem('t'.repeat(64), event, eventHash(event), expiresAt))).toBeLessThanOrEqual(RUN_ITEM_LAYOUT.guardItemBytes);
  });
});

describe('worst-case bytes per run', () => {
  const layout: RunItemLayout = { eventBodyBytes: 1_000, eventItemOverheadBytes: 200, indexEntriesPerEvent: 1, guardItemBytes: 50, summaryItemBytes: 4_000 };

  it('counts per event the item, one index copy of it with 100 bytes of index overhead, and the guard', () => {
    expect(worstCaseBytesPerEvent(layout)).toBe(1_200 + (1_200 + 100) + 50);
  });

  it('adds the summary once per run', () => {
    expect(worstCaseRunBytes(0, layout)).toBe(4_000);
    expect(worstCaseRunBytes(10, layout)).toBe(4_000 + 10 * 2_550);
  });

  it('counts no index copy for a table without the index', () => {
    expect(worstCaseBytesPerEvent({ ...layout, indexEntriesPerEvent: 0 })).toBe(1_250);
  });

  it('gives the largest event count whose worst case fits the cap, and not one more', () => {
    const max = maxEventsPerRunWithin();
    expect(worstCaseRunBytes(max)).toBeLessThanOrEqual(ITEM_COLLECTION_LIMIT_BYTES);
    expect(worstCaseRunBytes(max + 1)).toBeGreaterThan(ITEM_COLLECTION_LIMIT_BYTES);
    expect(maxEventsPerRunWithin(100_000, layout)).toBe(Math.floor((100_000 - 4_000) / 2_550));
    expect(maxEventsPerRunWithin(1_000, layout)).toBe(0);
  });

  it('puts this table at about 139 KB a worst-case event, so about 71,000 events a run', () => {
    expect(worstCaseBytesPerEvent()).toBeGreaterThan(2 * MAX_EVENT_BYTES);
    expect(worstCaseBytesPerEvent()).toBeLessThan(2 * MAX_EVENT_BYTES + 10_000);
    expect(maxEventsPerRunWithin()).toBeGreaterThan(70_000);
    expect(maxEventsPerRunWithin()).toBeLessThan(75_000);
  });
});
