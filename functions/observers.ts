import type { ObserverFilter } from '#shared/bus/observer-filter.ts';

/** What an observer function may read or write in the events table (infra grants exactly that). */
export type ObserverTableAccess = 'run-reader' | 'alert-claimer';

/**
 * One subscription: who gets which events. `archive` is not a function: in AWS the rule targets a
 * Firehose stream that batches into S3; locally a JSON Lines writer under .runledger/archive/.
 */
export type ObserverSubscription = {
  readonly name: string;
  readonly target:
    | {
        readonly kind: 'function';
        /** The folder under functions/ whose handler.ts takes the EventBridge event. */
        readonly handler: string;
        readonly tableAccess?: ObserverTableAccess;
      }
    | { readonly kind: 'archive' };
  readonly filter: ObserverFilter;
  /** Required: retried longer, dead-lettered, alarmed. Optional: fewer retries, a logged failure. */
  readonly required: boolean;
};

/**
 * The built-in subscriptions: the one list CDK builds its rules from and the local bus routes by.
 * A new built-in is this one entry plus its functions/<handler>/ (handler.ts for Lambda, and the
 * make...Handler(root) it calls, which local/handlers.ts wires for the local stack); CDK makes it a
 * function with the table access named here.
 * (Observers of your own: `runledger.addObserver(fn, { name, filter, required })` in CDK, README.)
 */
export const OBSERVERS: readonly ObserverSubscription[] = [
  { name: 'metrics', target: { kind: 'function', handler: 'metrics-observer', tableAccess: 'run-reader' }, filter: { preset: 'debug' }, required: false },
  {
    name: 'alerting',
    target: { kind: 'function', handler: 'alerting-observer', tableAccess: 'alert-claimer' },
    filter: { types: ['run.failed', 'run.timed_out', 'task.failed'] },
    required: true,
  },
  { name: 'archive', target: { kind: 'archive' }, filter: { preset: 'all' }, required: true },
];
