/**
 * `npm run dlq -- list` | `npm run dlq -- redrive`
 *
 * Dead letters of the local bus: events a required observer refused on every retry, kept as JSON
 * under `.runledger/dlq/<observer>/`; and relay failures: events the relay could not publish, kept
 * under `.runledger/relay-failures/` (the stack's timer republishes them too). `redrive` asks the
 * running local stack to deliver the key's tenant's letters again, then to republish its relay
 * failures (the ones done leave). With `--aws --stack NAME`, a deployed stack's observer dead-letter
 * queues and relay failures (cli/dlq-aws.ts).
 */
import { join } from 'node:path';
import { z } from 'zod';
import { FileFailedPublishStore } from '#adapters/file/file-failed-publish-store.ts';
import { listDeadLetters } from '#local/bus/local-bus.ts';
import { seqRange } from '#shared/relay/failed-publish.ts';
import { CommandError, UsageError } from './cli-io.ts';
import { parseCommandLine } from './command-line.ts';
import { resolveConnection } from './connection.ts';

const USAGE = 'usage: runledger dlq list [--observer NAME] [--data-dir DIR] | redrive [--observer NAME] [--url URL] (key: RUNLEDGER_API_KEY or the dev key; redrives that tenant\'s letters, then its relay failures) | list|redrive --aws --stack NAME [--observer NAME] [--region R]';

const LettersSchema = z.object({
  deadLetters: z.array(z.object({ target: z.string(), event: z.object({ id: z.string() }) })),
  // Absent from a stack older than relay failure redrives: nothing to republish there.
  relayFailures: z.array(z.object({ id: z.string(), tenant: z.string(), runId: z.string(), seqs: z.array(z.number()) })).default([]),
});
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
      if (values.observer !== undefined) return;
      const failures = new FileFailedPublishStore({ dir: join(dataDir, 'relay-failures') }).list();
      if (failures.length === 0) print('no relay failures');
      for (const { handle, failure } of failures) {
        print(`${'relay'.padEnd(12)} ${handle}  ${failure.tenant}/${failure.runId} seqs ${seqRange(failure.seqs)} (${failure.seqs.length} events)  ${failure.reason}`);
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
 * Drives the redrive one by one through the running stack, so each outcome is printed as it
 * happens (`n of m delivered|failed again: reason`): the key's tenant's dead letters, then (unless
 * one observer was named) its relay failures (`n of m republished|failed again: ...`). The stack
 * makes one attempt each and deletes a letter or a failure only after it was delivered: an
 * interrupted redrive is simply run again.
 */
async function redrive(url: string, apiKey: string | undefined, observer: string | undefined, print: (line: string) => void): Promise<void> {
  const headers: Record<string, string> = apiKey === undefined ? {} : { authorization: `Bearer ${apiKey}` };
  const listed = await fetch(`${url}/local/dlq`, { headers });
  if (!listed.ok) throw new CommandError(`the local stack at ${url} answered ${listed.status} to GET /local/dlq`);
  const { deadLetters, relayFailures } = LettersSchema.parse(await listed.json());
  const letters = deadLetters.filter((letter) => observer === undefined || letter.target === observer);
  const ask = async (query: URLSearchParams, what: string) => {
    const response = await fetch(`${url}/local/dlq/redrive?${query.toString()}`, { method: 'POST', headers });
    if (!response.ok) throw new CommandError(`the local stack at ${url} answered ${response.status} to the redrive of ${what}`);
    return RedriveAnswerSchema.parse(await response.json());
  };
  // The stack numbers within its one-item answer; the CLI numbers within the whole redrive.
  const outcomeOf = (answer: z.infer<typeof RedriveAnswerSchema>) => answer.lines[0]?.replace(/^\d+ of \d+ /, '');

  if (letters.length === 0) print('no dead letters');
  else {
    let delivered = 0;
    for (const [index, letter] of letters.entries()) {
      const answer = await ask(new URLSearchParams({ target: letter.target, id: letter.event.id }), letter.event.id);
      delivered += answer.delivered;
      print(`${index + 1} of ${letters.length} ${outcomeOf(answer) ?? `gone: ${letter.target} ${letter.event.id} (redriven or removed meanwhile)`}`);
    }
    print(`redrive done: ${delivered} delivered, ${letters.length - delivered} still dead-lettered`);
  }
  if (observer !== undefined || relayFailures.length === 0) return;

  let republished = 0;
  let kept = 0;
  for (const [index, failure] of relayFailures.entries()) {
    const answer = await ask(new URLSearchParams({ relay: failure.id }), `relay failure ${failure.id}`);
    republished += answer.delivered;
    kept += answer.failed;
    const gone = `gone: relay ${failure.tenant}/${failure.runId} seqs ${seqRange(failure.seqs)} (republished meanwhile, e.g. by the stack's timer)`;
    print(`${index + 1} of ${relayFailures.length} ${outcomeOf(answer) ?? gone}`);
  }
  print(`relay redrive done: ${republished} republished, ${kept} still kept`);
}
