import { compilePattern } from './event-pattern.ts';
import { EVENT_SOURCE } from './observer-filter.ts';

/**
 * Decides, per event type, whether any observer could want it: only the parts of each pattern that
 * look at `source` and `detail-type` are tested, so a type no pattern can match (say `token`, when
 * nobody subscribed to tokens) is never sent to EventBridge and costs nothing there. Patterns whose
 * top level is an `$or` are kept whole in the decision by assuming they may match.
 */
export function makePublishFilter(patterns: ReadonlyArray<Record<string, unknown>>): (type: string) => boolean {
  const routing = patterns.map((pattern) => {
    if (Object.hasOwn(pattern, '$or')) return () => true;
    const envelope = Object.fromEntries(Object.entries(pattern).filter(([key]) => key === 'source' || key === 'detail-type'));
    if (Object.keys(envelope).length === 0) return () => true;
    const matches = compilePattern(envelope);
    return (type: string) => matches({ source: EVENT_SOURCE, 'detail-type': type });
  });
  const decided = new Map<string, boolean>();
  return (type) => {
    let wanted = decided.get(type);
    if (wanted === undefined) {
      wanted = routing.some((matches) => matches(type));
      decided.set(type, wanted);
    }
    return wanted;
  };
}
