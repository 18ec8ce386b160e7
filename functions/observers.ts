import type { ObserverFilter } from '#shared/bus/observer-filter.ts';

/** The built-in observers' function folders under functions/. */
export type ObserverHandlerName = 'metrics-observer' | 'alerting-observer';

/**
 * One subscription: who gets which events. `archive` is not a function: in AWS the rule targets a
 * Firehose stream that batches into S3; locally a JSON Lines writer under .runledger/archive/.
 */
export type ObserverSubscription = {
  readonly name: string;
  readonly target: { readonly kind: 'function'; readonly handler: ObserverHandlerName } | { readonly kind: 'archive' };
  readonly filter: ObserverFilter;
  /** Required: retried longer, dead-lettered, alarmed. Optional: fewer retries, a logged failure. */
  readonly required: boolean;
};

/**
 * The built-in subscriptions: the one list CDK builds its rules from and the local bus routes by.
 * (Observers of your own: `runledger.addObserver(fn, { filter, required })` in CDK, README.)
 */
export const OBSERVERS: readonly ObserverSubscription[] = [
  { name: 'metrics', target: { kind: 'function', handler: 'metrics-observer' }, filter: { preset: 'debug' }, required: false },
  { name: 'alerting', target: { kind: 'function', handler: 'alerting-observer' }, filter: { types: ['run.failed', 'run.timed_out', 'task.failed'] }, required: true },
  { name: 'archive', target: { kind: 'archive' }, filter: { preset: 'all' }, required: true },
];
