import { KNOWN_EVENT_TYPES, type KnownEventType } from '../contract/event.ts';
import { compilePattern } from './event-pattern.ts';

/**
 * Filters as observers and webhook subscriptions take them, and the EventBridge pattern of each.
 * Apart from observer-filter.ts's zod schema (classic zod, which API function bundles must not
 * pull in): the subscription routes import this module.
 */

/** Every event runledger publishes has this EventBridge source. */
export const EVENT_SOURCE = 'runledger';

/**
 * Named sets of event types (Dockrion's filter presets). Run and task outcomes are in every preset:
 * an observer that asked for less would still want to know a run ended.
 */
const OUTCOMES: KnownEventType[] = ['run.queued', 'run.started', 'run.completed', 'run.failed', 'run.cancelled', 'run.timed_out', 'task.failed'];
export const PRESETS = {
  /** Lifecycle only: queued, started, the four endings, task failures. */
  minimal: { types: OUTCOMES, custom: false },
  /** A chat UI: lifecycle plus tokens, steps, human messages and thread status. */
  chat: { types: [...OUTCOMES, 'token', 'step', 'message.human', 'thread.status_updated'], custom: false },
  /** Everything but tokens (the high-volume stream), custom events included. */
  debug: { types: KNOWN_EVENT_TYPES.filter((type) => type !== 'token'), custom: true },
  /** Every event. */
  all: { types: KNOWN_EVENT_TYPES, custom: true },
} as const satisfies Record<string, { types: readonly KnownEventType[]; custom: boolean }>;
export type PresetName = keyof typeof PRESETS;

/** What an observer wants: a preset, an explicit type list (`custom:*` allowed), or any EventBridge pattern. */
export type ObserverFilter = { preset: PresetName } | { types: string[] } | { pattern: Record<string, unknown> };

/**
 * The EventBridge pattern of a filter: what the CDK rule gets and what the local bus matches.
 * A given pattern is validated as EventBridge would (InvalidPatternError otherwise) and scoped to
 * runledger's source.
 */
export function toEventPattern(filter: ObserverFilter): Record<string, unknown> {
  if ('pattern' in filter) {
    const pattern = { source: [EVENT_SOURCE], ...filter.pattern };
    compilePattern(pattern);
    return pattern;
  }
  const entries: string[] = 'preset' in filter ? [...PRESETS[filter.preset].types] : filter.types.filter((type) => type !== 'custom:*');
  const wantsAllCustom = 'preset' in filter ? PRESETS[filter.preset].custom : filter.types.includes('custom:*');
  const detailTypes: Array<string | { prefix: string }> = [...new Set(entries)];
  if (wantsAllCustom) detailTypes.push({ prefix: 'custom:' });
  return { source: [EVENT_SOURCE], 'detail-type': detailTypes };
}
