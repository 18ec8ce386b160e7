/**
 * `npm run dlq -- list` | `npm run dlq -- redrive`
 *
 * Dead letters of the local bus: events a required observer refused on every retry, kept as JSON
 * under `.runledger/dlq/<observer>/`. `redrive` asks the running local stack to deliver the key's
 * tenant's letters again (the ones delivered leave the queue). With `--aws --stack NAME`, a deployed
 * stack's observer dead-letter queues and relay failures (cli/dlq-aws.ts).
 */
import { join } from 'node:path';
import { z } from 'zod';
import { listDeadLetters } from '#local/bus/local-bus.ts';
import { CommandError, UsageError } from './cli-io.ts';
import { parseCommandLine } from './command-line.ts';
import { resolveConnection } from './connection.ts';

const USAGE = 'usage: runledger dlq list [--observer NAME] [--data-dir DIR] | redrive [--observer NAME] [--url URL] (key: RUNLEDGER_API_KEY or the dev key; redrives that tenant\'s letters) | list|redrive --aws --stack NAME [--observer NAME] [--region R]';

const LettersSchema = z.object({ deadLetters: z.array(z.object({ target: z.string(), event: z.object({ id: z.string() }) })) });
const RedriveAnswerSchema = z.object({ delivered: z.number(), failed: z.number(), lines: z.array(z.string()) });

export async function runDlq(argv: string[], env: NodeJS.ProcessEnv, print: (line: string) => void): Promise<void> {
  // A deployed stack's dead letters; loaded only then, so the local command starts without the AWS clients.
  if (argv.includes('--aws')) return (await import('./dlq-aws.ts')).runDlqAws(argv, print);
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
      // The admin routes need a key and redrive only that key's tenant's letters.
      const { url, apiKey } = resolveConnection(env, { url: values.url });
      await redrive(url, apiKey, values.observer, print);
      return;
    }
    case undefined:
      throw new UsageError(`name a command: list or redrive\n${USAGE}`);
    default:
      throw new UsageError(`unknown command '${positionals[0]}'\n${USAGE}`);
  }
}

/**
 * Drives the redrive letter by letter through the running stack, so each one's outcome is printed
 * as it happens (`n of m delivered|failed again: reason`). The stack makes one attempt per letter
 * and deletes a letter only after it was delivered: an interrupted redrive is simply run again.
 */
async function redrive(url: string, apiKey: string | undefined, observer: string | undefined, print: (line: string) => void): Promise<void> {
  const headers: Record<string, string> = apiKey === undefined ? {} : { authorization: `Bearer ${apiKey}` };
  const listed = await fetch(`${url}/local/dlq`, { headers });
  if (!listed.ok) throw new CommandError(`the local stack at ${url} answered ${listed.status} to GET /local/dlq`);
  const letters = LettersSchema.parse(await listed.json()).deadLetters.filter((letter) => observer === undefined || letter.target === observer);
  if (letters.length === 0) {
    print('no dead letters');
    return;
  }
  let delivered = 0;
  for (const [index, letter] of letters.entries()) {
    const query = new URLSearchParams({ target: letter.target, id: letter.event.id });
    const response = await fetch(`${url}/local/dlq/redrive?${query.toString()}`, { method: 'POST', headers });
    if (!response.ok) throw new CommandError(`the local stack at ${url} answered ${response.status} to the redrive of ${letter.event.id}`);
    const answer = RedriveAnswerSchema.parse(await response.json());
    delivered += answer.delivered;
    // The stack numbers within its one-letter answer; the CLI numbers within the whole redrive.
    const outcome = answer.lines[0]?.replace(/^\d+ of \d+ /, '') ?? `gone: ${letter.target} ${letter.event.id} (redriven or removed meanwhile)`;
    print(`${index + 1} of ${letters.length} ${outcome}`);
  }
  print(`redrive done: ${delivered} delivered, ${letters.length - delivered} still dead-lettered`);
}
