import * as z from 'zod/mini';
import { KNOWN_EVENT_TYPES } from '../contract/event.ts';
import { PRESETS, type ObserverFilter, type PresetName } from '../bus/filter-pattern.ts';

/**
 * The observers' filter schema (shared/bus/observer-filter.ts) in zod/mini: the subscription routes
 * are API functions, whose bundles must stay clear of classic zod (about 400 KiB). One shape with
 * it: both produce ObserverFilter, and test/unit/webhooks.unit.test.ts parses the same inputs with both.
 */
const TypeListEntrySchema = z.union([z.enum(KNOWN_EVENT_TYPES), z.literal('custom:*'), z.string().check(z.regex(/^custom:[A-Za-z0-9._-]{1,64}$/))]);

export const FILTER_BRANCHES = {
  preset: z.strictObject({ preset: z.enum(Object.keys(PRESETS) as [PresetName, ...PresetName[]]) }),
  types: z.strictObject({ types: z.array(TypeListEntrySchema).check(z.minLength(1)) }),
  pattern: z.strictObject({ pattern: z.record(z.string(), z.unknown()) }),
} as const;

export const FilterSchema: z.ZodMiniType<ObserverFilter> = z.union([FILTER_BRANCHES.preset, FILTER_BRANCHES.types, FILTER_BRANCHES.pattern]);
