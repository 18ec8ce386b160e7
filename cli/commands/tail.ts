import { EXIT_OK } from '../cli-io.ts';
import { API_OPTIONS, API_OPTIONS_HELP, clientFor, defineCommand, runIdArgument, wholeNumber } from '../command-line.ts';
import { followRun } from '../follow-run.ts';
import { formatEventLine } from '../format/event-table.ts';

const USAGE = `usage: runledger tail <runId> [--after SEQ] [--json]
Follows a run live (Server-Sent Events): prints each event as it is stored, from the first one
(or after --after SEQ), and exits once the run's terminal event (completed, failed, cancelled,
timed out) is printed. A dropped connection is opened again where it stopped (Last-Event-ID):
no event is missed or printed twice.
  --after SEQ    start after this seq
${API_OPTIONS_HELP}
With --json, one stored event per line (JSON Lines).`;

export const tailCommand = defineCommand({
  name: 'tail',
  summary: 'follow a run live until it ends (reconnects by itself)',
  usage: USAGE,
  options: { ...API_OPTIONS, after: { type: 'string' } },
  run: async ({ values, positionals }, env, io) => {
    const runId = runIdArgument(positionals, USAGE);
    const events = followRun(clientFor(env, values), runId, {
      afterSeq: wholeNumber('after', values.after, 0),
      signal: io.signal,
      onReconnect: (afterSeq, reason) => io.err(`reconnecting after seq ${afterSeq ?? 0} (${reason})`),
    });
    for await (const event of events) io.out(values.json === true ? JSON.stringify(event) : formatEventLine(event));
    return EXIT_OK;
  },
});
