/**
 * `npm run dlq -- list` | `npm run dlq -- redrive`
 *
 * Dead letters of the local bus: events a required observer refused on every retry, kept as JSON
 * under `.runledger/dlq/<observer>/`. `redrive` asks the running local stack to deliver them again
 * (the ones delivered leave the queue). With `--aws --stack NAME`, a deployed stack's (cli/dlq-aws.ts).
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { listDeadLetters } from '#local/bus/local-bus.ts';

const USAGE = 'usage: npm run dlq -- list [--observer NAME] [--data-dir DIR] | redrive [--url http://127.0.0.1:3000] | list|redrive --aws --stack NAME';

export async function runDlq(argv: string[], env: NodeJS.ProcessEnv, print: (line: string) => void): Promise<void> {
  // A deployed stack's dead letters; loaded only then, so the local command starts without the AWS clients.
  if (argv.includes('--aws')) return (await import('./dlq-aws.ts')).runDlqAws(argv, print);
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { 'data-dir': { type: 'string' }, url: { type: 'string' }, observer: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
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
      if (!response.ok) throw new Error(`the local stack at ${url} answered ${response.status}`);
      const result = z.object({ delivered: z.number(), failed: z.number() }).parse(await response.json());
      print(`redelivered ${result.delivered}, still failing ${result.failed}`);
      return;
    }
    default:
      print(USAGE);
  }
}

if (import.meta.main) {
  runDlq(process.argv.slice(2), process.env, (line) => console.log(line)).catch((error: unknown) => {
    console.error(`dlq: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
