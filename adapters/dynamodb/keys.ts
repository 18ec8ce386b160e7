/** Key builders for the single events table (layout documented in table-definition.ts). */

export const SUMMARY_SK = 'RUN';
export const EVENT_SK_PREFIX = 'E#';
export const GUARD_SK_PREFIX = 'I#';
export const KEY_SK = 'KEY';

/** Ten digits keep seqs sorting as strings up to 9,999,999,999, far beyond any run's event limit. */
const SEQ_DIGITS = 10;

export function runPk(tenant: string, runId: string): string {
  return `T#${tenant}#R#${runId}`;
}

export function eventSk(seq: number): string {
  return `${EVENT_SK_PREFIX}${seq.toString().padStart(SEQ_DIGITS, '0')}`;
}

export function guardSk(eventId: string): string {
  return `${GUARD_SK_PREFIX}${eventId}`;
}

export function apiKeyPk(keyHash: string): string {
  return `K#${keyHash}`;
}

/** Alert claims live apart from run items, under a prefix of their own. */
export function alertPk(tenant: string, runId: string): string {
  return `A#${tenant}#R#${runId}`;
}

/** The byTask index's sort key of a task event: the task's events sort by seq under its id. */
export function taskSeqKey(taskId: string, seq: number): string {
  return `${taskPrefix(taskId)}${seq.toString().padStart(SEQ_DIGITS, '0')}`;
}

/** Every key of one task starts with this ('#' and '%' in ids are encoded, so no task prefixes another). */
export function taskPrefix(taskId: string): string {
  return `${encodeURIComponent(taskId)}#`;
}
