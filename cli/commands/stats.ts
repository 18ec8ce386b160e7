import { RUN_STATUSES } from '#shared/run/status.ts';
import { StatsSchema } from '../answers.ts';
import { EXIT_OK, UsageError } from '../cli-io.ts';
import { API_OPTIONS, API_OPTIONS_HELP, clientFor, defineCommand } from '../command-line.ts';
import { formatTable } from '../format/table.ts';

const USAGE = `usage: runledger stats [--json]
Your tenant's runs counted by status.
${API_OPTIONS_HELP}`;

export const statsCommand = defineCommand({
  name: 'stats',
  summary: 'runs counted by status',
  usage: USAGE,
  options: API_OPTIONS,
  run: async ({ values, positionals }, env, io) => {
    if (positionals.length > 0) throw new UsageError(`stats takes no arguments (got '${positionals.join(' ')}')`);
    const stats = await clientFor(env, values).get('/v1/stats', StatsSchema);
    if (values.json === true) {
      io.out(JSON.stringify(stats, null, 2));
      return EXIT_OK;
    }
    const rows = [...RUN_STATUSES.map((status) => ({ status, count: stats.runs[status] })), { status: 'total', count: RUN_STATUSES.reduce((sum, status) => sum + stats.runs[status], 0) }];
    for (const line of formatTable([{ heading: 'STATUS', cell: (row: (typeof rows)[number]) => row.status }, { heading: 'RUNS', cell: (row) => String(row.count), align: 'right' }], rows)) io.out(line);
    return EXIT_OK;
  },
});
