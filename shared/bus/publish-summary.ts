import { KNOWN_EVENT_TYPES } from '../contract/event.ts';
import { EVENT_SOURCE } from './observer-filter.ts';
import { makePublishFilter } from './publish-filter.ts';

/**
 * Past this many characters of custom-type matchers, the summary wants every `custom:` type
 * instead: one `{prefix: 'custom:'}` in place of each observer's own list keeps the relay's
 * environment small (Lambda allows 4 KB in all) however many observers name custom types.
 */
export const CUSTOM_MATCHERS_BUDGET = 1024;

const CUSTOM_PREFIX = { prefix: 'custom:' } as const;
/** One pattern that wants every event runledger publishes. */
const EVERYTHING: Record<string, unknown> = { source: [EVENT_SOURCE] };

/**
 * What the relay needs of every subscription: the types to publish, as at most one small pattern,
 * whatever the number of subscriptions. Computed once (at synth, or when the local stack starts)
 * from the full patterns; the relay feeds it to makePublishFilter as before.
 *
 * Exact for the contract's known types: each is in the summary if and only if some pattern can
 * match it (makePublishFilter's own decision). For `custom:NAME` types, which cannot be listed, it
 * keeps the patterns' matchers that can only match custom types (`custom:x`, a `custom:` prefix or
 * wildcard); any other operator (suffix, anything-but, ...) or more than CUSTOM_MATCHERS_BUDGET of
 * them stands for every custom type (one field's matchers cannot be ANDed with a `custom:` prefix,
 * so keeping a suffix as it is would publish known types nobody wants).
 * Never less than the patterns want: publishing a type nobody wants costs one EventBridge entry;
 * not publishing a wanted one would lose it.
 */
export function summarizePublishPatterns(patterns: ReadonlyArray<Record<string, unknown>>): Array<Record<string, unknown>> {
  if (patterns.length === 0) return [];
  const custom = new Map<string, unknown>();
  for (const pattern of patterns) {
    const matchers = detailTypeMatchers(pattern);
    // A pattern that does not look at detail-type (or hides it in an $or) may want any type.
    if (matchers === undefined) return [EVERYTHING];
    for (const matcher of matchers) {
      const kept = customPart(matcher);
      if (kept !== undefined) custom.set(JSON.stringify(kept), kept);
    }
  }
  const wanted = makePublishFilter(patterns);
  const known = KNOWN_EVENT_TYPES.filter((type) => wanted(type));
  const customText = [...custom.keys()].join(',');
  const everyCustom = custom.has(JSON.stringify(CUSTOM_PREFIX)) || customText.length > CUSTOM_MATCHERS_BUDGET;
  if (everyCustom && known.length === KNOWN_EVENT_TYPES.length) return [EVERYTHING];
  const customMatchers = everyCustom ? [CUSTOM_PREFIX] : [...custom.values()];
  const detailTypes = [...known, ...customMatchers];
  return detailTypes.length === 0 ? [] : [{ source: [EVENT_SOURCE], 'detail-type': detailTypes }];
}

/**
 * What a detail-type matcher contributes for custom types (known types are decided exactly apart):
 * undefined when it can match none, itself when it matches custom types only (`custom:x`, a
 * `custom:` prefix or wildcard), every custom type otherwise (suffix, anything-but, a short prefix).
 */
function customPart(matcher: unknown): unknown {
  if (typeof matcher === 'string') return matcher.startsWith('custom:') ? matcher : undefined;
  if (typeof matcher !== 'object' || matcher === null || Array.isArray(matcher)) return CUSTOM_PREFIX;
  const entries: Array<[string, unknown]> = Object.entries(matcher);
  const [entry] = entries;
  if (entries.length !== 1 || entry === undefined) return CUSTOM_PREFIX;
  const [operator, argument] = entry;
  if ((operator === 'prefix' || operator === 'wildcard') && typeof argument === 'string' && argument.startsWith('custom:')) return matcher;
  // `message.` cannot begin a custom type; `cust` begins them all.
  if (operator === 'prefix' && typeof argument === 'string' && !CUSTOM_PREFIX.prefix.startsWith(argument)) return undefined;
  return CUSTOM_PREFIX;
}

/** The pattern's detail-type matchers, or undefined when it may match any detail-type. */
function detailTypeMatchers(pattern: Record<string, unknown>): readonly unknown[] | undefined {
  if (Object.hasOwn(pattern, '$or')) return undefined;
  const matchers = pattern['detail-type'];
  return Array.isArray(matchers) ? matchers : undefined;
}
