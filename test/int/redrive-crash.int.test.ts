import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { ensureEventsTable } from '#adapters/dynamodb/table-setup.ts';
import { runDlq } from '#cli/dlq.ts';
import { makeDynamoDbClient } from '#adapters/dynamodb/client.ts';
import { killHard, startChildStack, type ChildStack } from '#test/support/child-stack.ts';
import { uniqueId } from '#test/support/events.ts';
import { ACME_KEY, request } from '#test/support/http.ts';
import { archivedEvents, storedEvents } from '#test/support/pipeline-files.ts';

const endpoint = inject('dynamoDbEndpoint');
const at = '2026-11-23T10:00:00Z';
const LETTERS = 60;
const DeadLettersSchema = z.object({ deadLetters: z.array(z.object({ target: z.string() })) });
const RedriveSchema = z.object({ delivered: z.number(), failed: z.number(), lines: z.array(z.string()) });

let running: ChildStack | undefined;
afterEach(async () => {
  if (running !== undefined) await killHard(running.process);
  running = undefined;
});

async function archiveLetters(url: string): Promise<number> {
  const answer = await request(url, 'GET', '/local/dlq');
  return DeadLettersSchema.parse(answer.body).deadLetters.filter((letter) => letter.target === 'archive').length;
}

describe('redrive of the local dead letters', () => {
  it('fails fast while the target is down, and loses no letter when the stack is killed mid-redrive', async () => {
    const tableName = uniqueId('redrive');
    await ensureEventsTable(makeDynamoDbClient({ endpoint }), tableName);
    const dataDir = mkdtempSync(join(tmpdir(), 'runledger-redrive-'));
    // The archive observer (required) cannot write while its folder is a file: every event dead-letters.
    writeFileSync(join(dataDir, 'archive'), 'not a folder');
    const env = { RUNLEDGER_DYNAMODB_ENDPOINT: endpoint, RUNLEDGER_TABLE_NAME: tableName, RUNLEDGER_API_KEYS: `acme:${ACME_KEY}`, RUNLEDGER_DATA_DIR: dataDir };
    running = await startChildStack(env);
    const runId = uniqueId('run');
    for (let batch = 0; batch < LETTERS / 20; batch++) {
      const events = Array.from({ length: 20 }, (_, i) => ({ eventId: `e${batch * 20 + i}`, type: 'run.progress', occurredAt: at, payload: { progress: 0.5 } }));
      expect((await request(running.url, 'POST', `/v1/runs/${runId}/events`, { body: { events } })).status).toBe(202);
    }
    const deadline = Date.now() + 30_000;
    while ((await archiveLetters(running.url)) < LETTERS && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await archiveLetters(running.url)).toBe(LETTERS);

    // Still down: one attempt per letter, every one back in the dead letters with the reason.
    const startedAt = Date.now();
    const stillDown = RedriveSchema.parse((await request(running.url, 'POST', '/local/dlq/redrive?target=archive')).body);
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    expect(stillDown).toMatchObject({ delivered: 0, failed: LETTERS });
    expect(stillDown.lines[0]).toMatch(/^1 of 60 failed again: archive run\.progress \S+: .*ENOTDIR/);
    expect(await archiveLetters(running.url)).toBe(LETTERS);

    // Back up; the stack is killed after the tenth letter is delivered.
    rmSync(join(dataDir, 'archive'));
    const printed: string[] = [];
    const victim = running;
    let killed: Promise<void> | undefined;
    const interrupted = runDlq(['redrive', '--url', victim.url], { RUNLEDGER_API_KEY: ACME_KEY }, (line) => {
      printed.push(line);
      if (printed.length === 10) killed = killHard(victim.process);
    }).then(
      () => 'finished',
      () => 'interrupted',
    );
    expect(await interrupted).toBe('interrupted');
    await killed;
    expect(printed.slice(0, 10).every((line, i) => line.startsWith(`${i + 1} of ${LETTERS} delivered: archive run.progress `))).toBe(true);

    running = await startChildStack(env);
    const again: string[] = [];
    await runDlq(['redrive', '--url', running.url], { RUNLEDGER_API_KEY: ACME_KEY }, (line) => again.push(line));
    expect(again.at(-1)).toMatch(/^redrive done: \d+ delivered, 0 still dead-lettered$/);
    expect(await archiveLetters(running.url)).toBe(0);

    const client = DynamoDBDocumentClient.from(makeDynamoDbClient({ endpoint }));
    const seqs = (await storedEvents(client, tableName, 'acme', runId)).map((event) => event.seq);
    client.destroy();
    const archived = new Set(archivedEvents(dataDir, 'acme').map((line) => line.seq));
    expect(seqs).toHaveLength(LETTERS);
    expect(seqs.filter((seq) => !archived.has(seq))).toEqual([]);
  }, 90_000);
});
