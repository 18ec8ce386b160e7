import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { ensureEventsTable } from '#adapters/dynamodb/table-setup.ts';
import { makeDynamoDbClient } from '#adapters/dynamodb/client.ts';
import { killHard, startChildStack, type ChildStack } from '#test/support/child-stack.ts';
import { uniqueId } from '#test/support/events.ts';
import { ACME_KEY, request } from '#test/support/http.ts';
import { storedEvents as storedEventsOf } from '#test/support/pipeline-files.ts';

const endpoint = inject('dynamoDbEndpoint');
const client = DynamoDBDocumentClient.from(makeDynamoDbClient({ endpoint }));
let running: ChildStack | undefined;
afterEach(async () => {
  if (running !== undefined) await killHard(running.process);
});

function storedEvents(tableName: string, runId: string): Promise<Array<{ seq: number; eventId: string }>> {
  return storedEventsOf(client, tableName, 'acme', runId);
}

/** Sends `requests` batches of 100 events to one run; producer-sequenced ones carry seqs 1..N. */
function batches(runId: string, requests: number, producerSeqs: boolean) {
  return Array.from({ length: requests }, (_, r) => ({
    events: Array.from({ length: 100 }, (_, i) => ({
      eventId: `r${r}-e${i}`,
      type: 'token',
      occurredAt: '2026-11-23T10:00:00Z',
      payload: { text: `token ${r}-${i} `.repeat(20) },
      ...(producerSeqs ? { seq: r * 100 + i + 1 } : {}),
    })),
  }));
}

describe.each([
  ['server-sequenced', false],
  ['producer-sequenced', true],
])('a %s run whose server is killed mid-batch', (_mode, producerSeqs) => {
  it('ends gapless, with every event once, after the batch is re-sent to a restarted server', async () => {
    const tableName = uniqueId('crash');
    await ensureEventsTable(makeDynamoDbClient({ endpoint }), tableName);
    const env = { RUNLEDGER_DYNAMODB_ENDPOINT: endpoint, RUNLEDGER_TABLE_NAME: tableName, RUNLEDGER_API_KEYS: `acme:${ACME_KEY}` };
    const runId = uniqueId('run');
    const bodies = batches(runId, 10, producerSeqs);

    running = await startChildStack(env);
    const inFlight = bodies.map((body) => request(running?.url ?? '', 'POST', `/v1/runs/${runId}/events`, { body }).catch(() => undefined));
    let storedAtKill = 0;
    for (let polls = 0; storedAtKill === 0 && polls < 2000; polls++) storedAtKill = (await storedEvents(tableName, runId)).length;
    await killHard(running.process);
    await Promise.all(inFlight);
    const afterKill = await storedEvents(tableName, runId);
    // The kill landed mid-batch: some events were stored, not all.
    expect(afterKill.length).toBeGreaterThan(0);
    expect(afterKill.length).toBeLessThan(1000);

    running = await startChildStack(env);
    for (const body of bodies) {
      const answer = await request(running.url, 'POST', `/v1/runs/${runId}/events`, { body });
      expect(answer.status).toBe(202);
    }
    const events = await storedEvents(tableName, runId);
    expect(events.map((event) => event.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(new Set(events.map((event) => event.eventId)).size).toBe(1000);
    const summary = await request(running.url, 'GET', `/v1/runs/${runId}`);
    expect(summary.body).toMatchObject({ lastSeq: 1000, eventCount: 1000, missingSeqs: [] });
  }, 240_000);
});

describe('a local stack killed after storing events but before publishing them', () => {
  it('publishes every one of them after a restart (the archive observer holds them all)', async () => {
    const tableName = uniqueId('relaycrash');
    await ensureEventsTable(makeDynamoDbClient({ endpoint }), tableName);
    const env = { RUNLEDGER_DYNAMODB_ENDPOINT: endpoint, RUNLEDGER_TABLE_NAME: tableName, RUNLEDGER_API_KEYS: `acme:${ACME_KEY}` };
    const runId = uniqueId('run');

    running = await startChildStack({ ...env, RUNLEDGER_FAULT_CRASH_BEFORE_PUBLISH: '1' });
    const dataDir = running.dataDir;
    const exited = new Promise<number | null>((resolve) => running?.process.once('exit', resolve));
    const [body] = batches(runId, 1, false);
    // The process dies as soon as the relay sees the first stored events: the answer may never come.
    await request(running.url, 'POST', `/v1/runs/${runId}/events`, { body }).catch(() => undefined);
    expect(await exited).toBe(137);
    expect((await storedEvents(tableName, runId)).length).toBeGreaterThan(0);

    running = await startChildStack({ ...env, RUNLEDGER_DATA_DIR: dataDir });
    // The producer resends what it never got an answer for; what was stored before the crash is a duplicate.
    expect((await request(running.url, 'POST', `/v1/runs/${runId}/events`, { body })).status).toBe(202);
    const archived = () => {
      const dir = join(dataDir, 'archive', 'tenant=acme');
      const files = existsSync(dir) ? readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.jsonl')) : [];
      return files.flatMap((file) => readFileSync(join(dir, file), 'utf8').trim().split('\n')).map((line) => (JSON.parse(line) as { seq: number }).seq);
    };
    const deadline = Date.now() + 60_000;
    while (archived().length < 100 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    expect([...new Set(archived())].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
  }, 120_000);
});
