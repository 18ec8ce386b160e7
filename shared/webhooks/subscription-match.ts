import { compilePattern } from '../bus/event-pattern.ts';
import { EVENT_SOURCE, toEventPattern, type ObserverFilter } from '../bus/filter-pattern.ts';
import type { PublishedDetail } from '../bus/published-event.ts';

/** A subscription's filter as a test of one stored event, matched as the bus matches it (the whole EventBridge event). */
export function matcherOf(filter: ObserverFilter): (detail: PublishedDetail) => boolean {
  const matches = compilePattern(toEventPattern(filter));
  return (detail) => matches({ source: EVENT_SOURCE, 'detail-type': detail.type, detail });
}
