import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type RunningLocalStack } from '#local/stack.ts';
import { uniqueId } from '#test/support/events.ts';
import { ACME_KEY, request } from '#test/support/http.ts';
import { eventually } from '#test/support/webhook-receiver.ts';

const dir = mkdtempSync(join(tmpdir(), 'runledger-config-'));
const receivedFile = join(dir, 'received.jsonl');
let stack: RunningLocalStack;
beforeAll(async () => {
  // A user's observer, as a user writes it: a module exporting `handler`, listed in runledger.config.json.
  writeFileSync(
    join(dir, 'billing-observer.mjs'),
    `import { appendFileSync } from 'node:fs';\nexport const handler = async (event) => { appendFileSync(${JSON.stringify(receivedFile)}, JSON.stringify({ type: event['detail-type'], seq: event.detail.seq }) + '\\n'); };\n`,
  );
  writeFileSync(join(dir, 'runledger.config.json'), JSON.stringify({ observers: [{ name: 'billing', handler: './billing-observer.mjs', filter: { types: ['run.completed', 'run.started'] }, required: true }] }));
  stack = await startLocalStack({ port: 0, dynamoDbEndpoint: inject('dynamoDbEndpoint'), tableName: uniqueId('config'), apiKeys: `acme:${ACME_KEY}`, dataDir: mkdtempSync(join(tmpdir(), 'runledger-test-')), configDir: dir, builtInObservers: false });
});
afterAll(() => stack.stop());

describe('observers from runledger.config.json', () => {
  it('invokes a user observer with the bus event and shows its deliveries in the ledger', async () => {
    const runId = uniqueId('run');
    const at = '2026-11-23T10:00:00Z';
    const events = [
      { eventId: 'a', seq: 1, type: 'run.started', occurredAt: at },
      { eventId: 'b', seq: 2, type: 'run.progress', occurredAt: at, payload: { progress: 0.5 } },
      { eventId: 'c', seq: 3, type: 'run.completed', occurredAt: at },
    ];
    expect((await request(stack.url, 'POST', `/v1/runs/${runId}/events`, { body: { events } })).status).toBe(202);
    await stack.settled();
    const lines = await eventually(() => (existsSync(receivedFile) ? readFileSync(receivedFile, 'utf8').trim().split('\n') : []), (found) => found.length >= 2);
    expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual(expect.arrayContaining([{ type: 'run.started', seq: 1 }, { type: 'run.completed', seq: 3 }]));
    const ledger = await eventually(
      async () => (await request(stack.url, 'GET', `/v1/runs/${runId}/deliveries?subscriber=billing`)).body,
      (body) => JSON.stringify(body).includes('"toSeq":3'),
    );
    expect(ledger).toEqual({ deliveries: [{ subscriber: 'billing', kind: 'observer', delivered: [{ fromSeq: 1, toSeq: 1 }, { fromSeq: 3, toSeq: 3 }], deliveredCount: 2, undelivered: [] }], nextCursor: null });
  });
});
