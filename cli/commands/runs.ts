import { RUN_STATUSES } from '#shared/run/status.ts';
import { RunListSchema, type RunListItem } from '../answers.ts';
import { EXIT_OK, UsageError } from '../cli-io.ts';
import { API_OPTIONS, API_OPTIONS_HELP, clientFor, defineCommand, wholeNumber } from '../command-line.ts';
import { formatDuration, formatTable, type Column } from '../format/table.ts';

const DEFAULT_LIMIT = 20;
/** The most the CLI asks for in one request; it pages (nextCursor) for more. */
const PAGE_SIZE = 100;

const USAGE = `usage: runledger runs [--status STATUS] [--thread THREAD_ID] [--limit N] [--cursor CURSOR] [--json]
Runs, most recently updated first.
  --status S       only runs in this status: ${RUN_STATUSES.join(', ')}
  --thread ID      only the runs of this thread
  --limit N        at most N runs, over as many pages as that takes; default ${DEFAULT_LIMIT}
  --cursor C       continue where an earlier listing stopped (its nextCursor)
${API_OPTIONS_HELP}
With --json, {"runs": [...], "nextCursor": ...} as the API answers.`;

const RUN_COLUMNS: readonly Column<RunListItem>[] = [
  { heading: 'RUN', cell: (run) => run.runId },
  { heading: 'STATUS', cell: (run) => run.status },
  { heading: 'THREAD', cell: (run) => run.threadId ?? '-' },
  { heading: 'EVENTS', cell: (run) => (run.eventCount === undefined ? '-' : String(run.eventCount)), align: 'right' },
  { heading: 'DURATION', cell: (run) => formatDuration(run.durationMs), align: 'right' },
  { heading: 'UPDATED', cell: (run) => run.updatedAt ?? '-' },
];

export const runsCommand = defineCommand({
  name: 'runs',
  summary: 'runs by recency, filtered by --status or --thread',
  usage: USAGE,
  options: {
    ...API_OPTIONS,
    status: { type: 'string' },
    thread: { type: 'string' },
    limit: { type: 'string' },
    cursor: { type: 'string' },
  },
  run: async ({ values, positionals }, env, io) => {
    if (positionals.length > 0) throw new UsageError(`runs takes no arguments (got '${positionals.join(' ')}'); filter with --status or --thread`);
    if (values.status !== undefined && !(RUN_STATUSES as readonly string[]).includes(values.status)) {
      throw new UsageError(`--status must be one of ${RUN_STATUSES.join(', ')} (got '${values.status}')`);
    }
    const limit = wholeNumber('limit', values.limit, 1) ?? DEFAULT_LIMIT;
    const client = clientFor(env, values);
    const runs: RunListItem[] = [];
    let cursor = values.cursor;
    do {
      const page = await client.get('/v1/runs', RunListSchema, {
        status: values.status,
        threadId: values.thread,
        limit: Math.min(PAGE_SIZE, limit - runs.length),
        cursor,
      });
      runs.push(...page.runs);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined && runs.length < limit);

    if (values.json === true) {
      io.out(JSON.stringify({ runs, nextCursor: cursor ?? null }, null, 2));
      return EXIT_OK;
    }
    if (runs.length === 0) io.out('no runs');
    else for (const line of formatTable(RUN_COLUMNS, runs)) io.out(line);
    if (cursor !== undefined) io.err(`more runs: add --cursor ${cursor}`);
    return EXIT_OK;
  },
});
