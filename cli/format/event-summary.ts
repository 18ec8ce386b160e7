import type { StoredEventView } from '../answers.ts';
import { truncate } from './table.ts';

const MAX_DETAIL = 80;

/**
 * The one thing worth seeing in an event, by type: a token's text, a progress fraction, a task's id
 * and error, a run's result. Anything else shows its payload as compact JSON.
 */
export function eventDetail(event: StoredEventView): string {
  const payload = event.payload ?? {};
  const text = (key: string) => (typeof payload[key] === 'string' ? payload[key] : undefined);
  const errorMessage = () => {
    const error = payload.error;
    return typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string' ? error.message : undefined;
  };
  const parts: (string | undefined)[] = [];
  if (event.type.startsWith('task.')) {
    parts.push(text('taskId'), text('name'));
    if (typeof payload.attempt === 'number') parts.push(`attempt ${payload.attempt}${typeof payload.maxAttempts === 'number' ? `/${payload.maxAttempts}` : ''}`);
    parts.push(errorMessage(), text('reason'));
  } else if (event.type === 'token') {
    parts.push(JSON.stringify(text('text') ?? ''));
  } else if (event.type === 'run.progress') {
    if (typeof payload.progress === 'number') parts.push(`${Math.round(payload.progress * 100)}%`);
    parts.push(text('message'));
  } else if (event.type === 'run.failed') {
    parts.push(errorMessage());
  } else if (event.type === 'step' || event.type === 'run.checkpoint') {
    parts.push(text('name'));
  } else if (event.type === 'run.completed') {
    parts.push(text('title'), payload.result === undefined ? undefined : `result ${JSON.stringify(payload.result)}`);
  } else if (Object.keys(payload).length > 0) {
    parts.push(JSON.stringify(payload));
  }
  return truncate(parts.filter((part) => part !== undefined && part !== '').join('  '), MAX_DETAIL);
}
