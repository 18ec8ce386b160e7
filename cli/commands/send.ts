import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IngestResult } from '#shared/ingest/ingest-result.ts';
import { IngestAnswerSchema } from '../answers.ts';
import { ApiError, segment, type RunledgerClient } from '../api-client.ts';
import { CommandError, EXIT_OK, UsageError, type CliIo } from '../cli-io.ts';
import { API_OPTIONS, API_OPTIONS_HELP, clientFor, defineCommand, wholeNumber } from '../command-line.ts';
import { eventsFromJsonArgument, eventsFromJsonLines, readAll, type EventInput } from '../event-input.ts';
import { formatTable, type Column } from '../format/table.ts';
import { requestBatches } from '../request-batches.ts';

const USAGE = `usage: runledger send [--run RUN_ID] ['<event JSON>' | --type TYPE [--payload JSON] | --file FILE.jsonl | < FILE.jsonl]
Sends events and prints what runledger answered for each (accepted, duplicate, rejected, conflict).
  '<event JSON>'     one event object, an array of them, or {"events": [...]}
  --type TYPE        build one event from flags: --type, --payload JSON, --event-id, --thread,
                     --occurred-at (default now), --seq
  --file FILE        JSON Lines, one event a line ('-' or piped stdin: read standard input)
  --run RUN_ID       the run of events that name none; sends to POST /v1/runs/RUN_ID/events
                     (without it, events name their runId and go to POST /v1/events)
An event without eventId gets a random one and without occurredAt the current time; give eventId
to make a resend a harmless duplicate. Requests carry at most 100 events and 1 MiB each.
Exit code 1 when any event was rejected or conflicts.
${API_OPTIONS_HELP}
With --json, one result per line (JSON Lines).`;

const RESULT_COLUMNS: readonly Column<IngestResult>[] = [
  { heading: 'STATUS', cell: (result) => result.status },
  { heading: 'EVENT', cell: (result) => result.eventId ?? '-' },
  { heading: 'RUN', cell: (result) => result.runId ?? '-' },
  { heading: 'SEQ', cell: (result) => ('seq' in result && result.seq !== undefined ? String(result.seq) : '-'), align: 'right' },
  { heading: 'DETAIL', cell: resultDetail },
];

/** Throttled requests (429) are sent again this many times: ingest is idempotent, so a resend is safe. */
const THROTTLE_RETRIES = 3;

export const sendCommand = defineCommand({
  name: 'send',
  summary: 'send events: JSON argument, flags, a JSON Lines file or stdin',
  usage: USAGE,
  options: {
    ...API_OPTIONS,
    run: { type: 'string' },
    type: { type: 'string' },
    payload: { type: 'string' },
    'event-id': { type: 'string' },
    thread: { type: 'string' },
    'occurred-at': { type: 'string' },
    seq: { type: 'string' },
    file: { type: 'string', short: 'f' },
  },
  run: async ({ values, positionals }, env, io) => {
    const events = (await readEvents(positionals, values, io)).map((event) => withDefaults(event, values.run, values.thread));
    if (events.length === 0) throw new UsageError('no events to send');
    if (values.run === undefined) {
      const index = events.findIndex((event) => typeof event.runId !== 'string');
      if (index >= 0) throw new UsageError(`event ${index + 1} names no runId: add "runId" or pass --run RUN_ID`);
    }

    const client = clientFor(env, values);
    const path = values.run === undefined ? '/v1/events' : `/v1/runs/${segment(values.run)}/events`;
    const results: IngestResult[] = [];
    try {
      for (const batch of requestBatches(events)) {
        const answer = await postBatch(client, path, batch);
        if (values.json === true) for (const result of answer) io.out(JSON.stringify(result));
        results.push(...answer);
      }
    } finally {
      if (values.json !== true && results.length > 0) for (const line of formatTable(RESULT_COLUMNS, results)) io.out(line);
    }

    const notStored = results.filter((result) => result.status === 'rejected' || result.status === 'conflict').length;
    if (values.json !== true) io.out(summaryLine(results));
    if (notStored > 0) throw new CommandError(`${notStored} of ${results.length} events were not stored (rejected or conflict)`);
    return EXIT_OK;
  },
});

type SendValues = {
  run?: string | undefined;
  type?: string | undefined;
  payload?: string | undefined;
  'event-id'?: string | undefined;
  thread?: string | undefined;
  'occurred-at'?: string | undefined;
  seq?: string | undefined;
  file?: string | undefined;
};

/** Exactly one source of events: a JSON argument, flags, a file, or standard input. */
async function readEvents(positionals: readonly string[], values: SendValues, io: CliIo): Promise<EventInput[]> {
  const sources = [positionals.length > 0, values.type !== undefined, values.file !== undefined].filter(Boolean).length;
  if (sources > 1) throw new UsageError('give the events one way: a JSON argument, --type flags, or --file');
  if (positionals.length > 1) throw new UsageError(`one JSON argument at most (got ${positionals.length}); quote the JSON`);
  const [json] = positionals;
  if (json !== undefined) return eventsFromJsonArgument(json);
  if (values.type !== undefined) return [eventFromFlags(values, values.type)];
  if (values.file !== undefined && values.file !== '-') return eventsFromJsonLines(readFile(values.file), values.file);
  if (io.stdin === undefined) throw new UsageError(`nothing to send: give an event, --type, --file or pipe JSON Lines in\n${USAGE}`);
  return eventsFromJsonLines(await readAll(io.stdin), 'stdin');
}

function eventFromFlags(values: SendValues, type: string): EventInput {
  const event: EventInput = { type };
  if (values['event-id'] !== undefined) event.eventId = values['event-id'];
  if (values['occurred-at'] !== undefined) event.occurredAt = values['occurred-at'];
  const seq = wholeNumber('seq', values.seq, 1);
  if (seq !== undefined) event.seq = seq;
  if (values.payload !== undefined) {
    try {
      event.payload = JSON.parse(values.payload);
    } catch (error: unknown) {
      throw new UsageError(`--payload is not JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return event;
}

function withDefaults(event: EventInput, runId: string | undefined, threadId: string | undefined): EventInput {
  return {
    eventId: `cli-${randomUUID()}`,
    ...(runId === undefined ? {} : { runId }),
    ...(threadId === undefined ? {} : { threadId }),
    occurredAt: new Date().toISOString(),
    ...event,
  };
}

async function postBatch(client: RunledgerClient, path: string, events: EventInput[]): Promise<IngestResult[]> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return (await client.post(path, { events }, IngestAnswerSchema)).body.results;
    } catch (error: unknown) {
      const throttled = error instanceof ApiError && error.status === 429;
      if (!throttled || attempt >= THROTTLE_RETRIES) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** attempt));
    }
  }
}

function readFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error: unknown) {
    throw new UsageError(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function resultDetail(result: IngestResult): string {
  if (result.status === 'rejected') return result.errors.map((error) => `${error.path} ${error.message}`).join('; ');
  if (result.status === 'conflict') return result.message;
  return '';
}

function summaryLine(results: readonly IngestResult[]): string {
  const counts = new Map<string, number>();
  for (const result of results) counts.set(result.status, (counts.get(result.status) ?? 0) + 1);
  return [...counts].map(([status, count]) => `${count} ${status}`).join(', ');
}
