import { MAX_PAGE_SIZE } from '#shared/query/query-params.ts';
import { EventPageSchema, type EventPage, type StoredEventView } from '../answers.ts';
import { segment } from '../api-client.ts';
import { EXIT_OK, UsageError } from '../cli-io.ts';
import { API_OPTIONS, API_OPTIONS_HELP, clientFor, defineCommand, runIdArgument, wholeNumber } from '../command-line.ts';
import { formatEventTable } from '../format/event-table.ts';

const USAGE = `usage: runledger events <runId> [--after SEQ] [--types TYPE,TYPE] [--limit N] [--json]
A run's events in seq order, every page of them (following nextAfterSeq).
  --after SEQ      only events after this seq; default 0 (from the start)
  --types LIST     only these types, comma-separated (custom:* for every custom type)
  --limit N        stop after N events; default all
  --page-size N    events per request, 1-${MAX_PAGE_SIZE}; default ${MAX_PAGE_SIZE}
${API_OPTIONS_HELP}
With --json, one stored event per line (JSON Lines).`;

export const eventsCommand = defineCommand({
  name: 'events',
  summary: "a run's events in order, all pages (--after, --types, --limit)",
  usage: USAGE,
  options: {
    ...API_OPTIONS,
    after: { type: 'string' },
    types: { type: 'string' },
    limit: { type: 'string' },
    'page-size': { type: 'string' },
  },
  run: async ({ values, positionals }, env, io) => {
    const runId = runIdArgument(positionals, USAGE);
    const limit = wholeNumber('limit', values.limit, 1) ?? Number.POSITIVE_INFINITY;
    const pageSize = wholeNumber('page-size', values['page-size'], 1) ?? MAX_PAGE_SIZE;
    if (pageSize > MAX_PAGE_SIZE) throw new UsageError(`--page-size must be at most ${MAX_PAGE_SIZE}`);
    const client = clientFor(env, values);
    const events: StoredEventView[] = [];
    let afterSeq: number | null = wholeNumber('after', values.after, 0) ?? 0;
    // A table needs all rows to size its columns; JSON Lines go out page by page.
    while (afterSeq !== null && events.length < limit) {
      const page: EventPage = await client.get(`/v1/runs/${segment(runId)}/events`, EventPageSchema, {
        afterSeq,
        limit: Math.min(pageSize, limit - events.length),
        types: values.types,
      });
      if (values.json === true) for (const event of page.events) io.out(JSON.stringify(event));
      events.push(...page.events);
      afterSeq = page.nextAfterSeq;
    }
    if (values.json !== true) {
      if (events.length === 0) io.out('no events');
      else for (const line of formatEventTable(events)) io.out(line);
    }
    return EXIT_OK;
  },
});
