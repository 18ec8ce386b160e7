import { z } from 'zod';
import { KNOWN_EVENT_TYPES } from '../contract/event.ts';
import { PRESETS, type ObserverFilter as FilterShape, type PresetName } from './filter-pattern.ts';

// The presets and the pattern of a filter live in filter-pattern.ts (no classic zod: API bundles import them); re-exported for existing callers.
export { EVENT_SOURCE, PRESETS, toEventPattern, type PresetName } from './filter-pattern.ts';

const TypeListEntrySchema = z.union([z.enum(KNOWN_EVENT_TYPES), z.literal('custom:*'), z.string().regex(/^custom:[A-Za-z0-9._-]{1,64}$/)]);

/** What an observer wants: a preset, an explicit type list (`custom:*` allowed), or any EventBridge pattern. */
export const ObserverFilterSchema = z.union([
  z.strictObject({ preset: z.enum(Object.keys(PRESETS) as [PresetName, ...PresetName[]]) }),
  z.strictObject({ types: z.array(TypeListEntrySchema).min(1) }),
  z.strictObject({ pattern: z.record(z.string(), z.unknown()) }),
]);
export type ObserverFilter = z.infer<typeof ObserverFilterSchema>;
// The schema and the hand-written type in filter-pattern.ts must stay one shape.
const _sameShape: (filter: ObserverFilter) => FilterShape = (filter) => filter;
void _sameShape;

