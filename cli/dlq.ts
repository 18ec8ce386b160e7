/**
 * `npm run dlq -- list` | `npm run dlq -- redrive`
 *
 * Dead letters of the local bus: events a required observer refused on every retry, kept as JSON
 * under `.runledger/dlq/<observer>/`. `redrive` asks the running local stack to deliver them again
 * (the ones delivered leave the queue). In AWS the same live in each observer's SQS dead-letter queue.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { listDeadLetters } from '#local/bus/local-bus.ts';
import { CommandError, UsageError } from './cli-io.ts';
import { parseCommandLine } from './command-line.ts';

const USAGE = 'usage: runledger dlq list [--observer NAME] [--data-dir DIR] | redrive [--url http://127.0.0.1:3000]';

export async function runDlq(argv: string[], env: NodeJS.ProcessEnv, print: (line: string) => void): Promise<void> {
  const { positionals, values } = parseCommandLine(argv, {
    'data-dir': { type: 'string' },
    url: { type: 'string' },
    observer: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help === true) {
    print(USAGE);
    return;
  }
  const dataDir = values['data-dir'] ?? env.RUNLEDGER_DATA_DIR ?? '.runledger';
  switch (positionals[0]) {
    case 'list': {
      const letters = listDeadLetters(join(dataDir, 'dlq'), values.observer);
      if (letters.length === 0) print('no dead letters');
      for (const letter of letters) {
        print(`${letter.target.padEnd(12)} ${letter.event.id}  ${letter.event['detail-type'].padEnd(16)} ${letter.error}`);
      }
      return;
    }
    case 'redrive': {
      const url = values.url ?? env.RUNLEDGER_URL ?? `http://127.0.0.1:${env.PORT ?? 3000}`;
      const response = await fetch(`${url}/local/dlq/redrive`, { method: 'POST' });
      if (!response.ok) throw new CommandError(`the local stack at ${url} answered ${response.status}`);
      const result = z.object({ delivered: z.number(), failed: z.number() }).parse(await response.json());
      print(`redelivered ${result.delivered}, still failing ${result.failed}`);
      return;
    }
    case undefined:
      throw new UsageError(`name a command: list or redrive\n${USAGE}`);
    default:
      throw new UsageError(`unknown command '${positionals[0]}'\n${USAGE}`);
  }
}
