import { UsageError } from './cli-io.ts';

/** An event as the user wrote it: a JSON object, checked by the server, not here. */
export type EventInput = Record<string, unknown>;

/** One event, an array of events, or `{"events": [...]}`, given as one JSON argument. */
export function eventsFromJsonArgument(text: string): EventInput[] {
  const value = parseJson(text, 'the event argument');
  const list = Array.isArray(value) ? value : isObject(value) && Array.isArray(value.events) ? value.events : [value];
  return list.map((item, index) => asEvent(item, `the event argument${list.length > 1 ? ` (item ${index + 1})` : ''}`));
}

/** JSON Lines: one event object a line; blank lines are skipped; a bad line stops everything before anything is sent. */
export function eventsFromJsonLines(text: string, source: string): EventInput[] {
  const events: EventInput[] = [];
  for (const [index, line] of text.split(/\r?\n/).entries()) {
    if (line.trim() === '') continue;
    const where = `${source} line ${index + 1}`;
    events.push(asEvent(parseJson(line, where), where));
  }
  return events;
}

/** Reads a whole stream (stdin) as UTF-8. */
export async function readAll(stream: AsyncIterable<string | Buffer>): Promise<string> {
  let text = '';
  const decoder = new TextDecoder();
  for await (const chunk of stream) text += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
  return text + decoder.decode();
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error: unknown) {
    throw new UsageError(`${where} is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function asEvent(value: unknown, where: string): EventInput {
  if (!isObject(value)) throw new UsageError(`${where} must be a JSON object (an event)`);
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
