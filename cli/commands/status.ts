import { RunSummarySchema } from '../answers.ts';
import { segment } from '../api-client.ts';
import { EXIT_OK } from '../cli-io.ts';
import { API_OPTIONS, API_OPTIONS_HELP, clientFor, defineCommand, runIdArgument } from '../command-line.ts';
import { formatDuration, formatFields, truncate } from '../format/table.ts';

const USAGE = `usage: runledger status <runId> [--json]
A run's summary: status, timings, event count, tasks by status, result or error, token usage.
${API_OPTIONS_HELP}`;

export const statusCommand = defineCommand({
  name: 'status',
  summary: "a run's status, timings, tasks, result or error",
  usage: USAGE,
  options: API_OPTIONS,
  run: async ({ values, positionals }, env, io) => {
    const runId = runIdArgument(positionals, USAGE);
    const run = await clientFor(env, values).get(`/v1/runs/${segment(runId)}`, RunSummarySchema);
    if (values.json === true) {
      io.out(JSON.stringify(run, null, 2));
      return EXIT_OK;
    }
    const tasks = Object.entries(run.tasks).filter(([, count]) => count > 0);
    const fields: [string, string][] = [
      ['run', run.runId],
      ['status', run.status],
      ['thread', run.threadId ?? '-'],
      ['started', run.startedAt ?? '-'],
      ['ended', run.endedAt ?? '-'],
      ['duration', formatDuration(run.durationMs)],
      ['events', `${run.eventCount} (last seq ${run.lastSeq}, ${run.sequencing}-sequenced)`],
      ['tasks', tasks.length === 0 ? '-' : tasks.map(([status, count]) => `${count} ${status}`).join(', ')],
    ];
    if (run.missingSeqs.length > 0) fields.push(['missing seqs', truncate(run.missingSeqs.join(', '), 80)]);
    if (run.title !== null) fields.push(['title', run.title]);
    if (run.error !== null) fields.push(['error', `${run.error.type === undefined ? '' : `${run.error.type}: `}${run.error.message}`]);
    if (run.result !== null && run.result !== undefined) fields.push(['result', truncate(JSON.stringify(run.result), 100)]);
    if (run.usage !== null) fields.push(['usage', Object.entries(run.usage).map(([name, count]) => `${name} ${count}`).join(', ')]);
    fields.push(['last event', run.lastEventAt ?? '-']);
    for (const line of formatFields(fields)) io.out(line);
    return EXIT_OK;
  },
});
