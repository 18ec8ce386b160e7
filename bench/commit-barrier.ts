import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { makeDynamoDbClient } from '#adapters/dynamodb/client.ts';
import { DynamoDbEventStore } from '#adapters/dynamodb/dynamodb-event-store.ts';
import { ensureEventsTable } from '#adapters/dynamodb/table-setup.ts';
import { startCommitBarrier } from '#local/dynamodb-commit-barrier.ts';
import { startDynamoDbLocal } from '#local/dynamodb-local.ts';
import type { RunEvent } from '#shared/contract/event.ts';
import { eventHash } from '#shared/run/event-hash.ts';
import { systemClock } from '#shared/ports.ts';

/** Events/s of every pass, in order, and the events each pass appended. */
export type BarrierFigures = { direct: number[]; barrier: number[]; eventsPerPass: number };

const TABLE = 'bench-barrier';
const BATCH = 25;

/**
 * What the commit barrier (local/dynamodb-commit-barrier.ts) costs: server-sequenced batches of 25
 * appended through the DynamoDB event store (one TransactWriteItems each) to ONE on-disk DynamoDB
 * Local, straight to it and through the barrier, in alternating passes so that a busy machine
 * slows both alike.
 */
export async function measureCommitBarrier(options: {
  readonly clients: number;
  readonly eventsPerPass: number;
  readonly passes: number;
  readonly makeEvent: (runId: string, index: number) => RunEvent;
}): Promise<BarrierFigures> {
  const dataDir = mkdtempSync(join(tmpdir(), 'runledger-bench-barrier-'));
  // Without the barrier built in: the bench puts its own in front of the same JVM.
  const dynamo = await startDynamoDbLocal({ dataDir, commitBarrier: false });
  const barrier = await startCommitBarrier(dynamo.endpoint);
  const clients = [makeDynamoDbClient({ endpoint: dynamo.endpoint }), makeDynamoDbClient({ endpoint: barrier.endpoint })];
  try {
    const [directClient, barrierClient] = clients;
    if (directClient === undefined || barrierClient === undefined) throw new Error('two clients expected');
    await ensureEventsTable(directClient, TABLE);
    const store = (client: typeof directClient) =>
      new DynamoDbEventStore({
        client: DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
        tableName: TABLE,
        clock: systemClock,
        limits: { maxEventsPerRun: 1_000_000_000, retentionDays: 30 },
        // As the local stack writes to its on-disk DynamoDB Local.
        itemWrites: 'transaction',
      });
    const stores = { direct: store(directClient), barrier: store(barrierClient) };

    const perClient = Math.ceil(options.eventsPerPass / options.clients / BATCH);
    const pass = async (target: DynamoDbEventStore, tag: string, requests: number): Promise<number> => {
      const started = performance.now();
      await Promise.all(
        Array.from({ length: options.clients }, async (_, client) => {
          const runId = `${tag}-c${client}`;
          for (let request = 0; request < requests; request++) {
            const candidates = Array.from({ length: BATCH }, (_, i) => {
              const event = options.makeEvent(runId, request * BATCH + i);
              return { event, hash: eventHash(event), index: i };
            });
            const outcomes = await target.appendToRun('bench', runId, candidates);
            if (outcomes.some((outcome) => outcome.outcome !== 'accepted')) throw new Error(`append to ${runId} not accepted: ${JSON.stringify(outcomes)}`);
          }
        }),
      );
      return (options.clients * requests * BATCH) / ((performance.now() - started) / 1000);
    };

    // Warm up both paths: connections, JIT, SQLite pages.
    await pass(stores.direct, 'warm-direct', 2);
    await pass(stores.barrier, 'warm-barrier', 2);
    const rates: { direct: number[]; barrier: number[] } = { direct: [], barrier: [] };
    for (let i = 0; i < options.passes; i++) {
      rates.direct.push(await pass(stores.direct, `direct-${i}`, perClient));
      rates.barrier.push(await pass(stores.barrier, `barrier-${i}`, perClient));
    }
    return { ...rates, eventsPerPass: options.clients * perClient * BATCH };
  } finally {
    for (const client of clients) client.destroy();
    await barrier.close();
    await dynamo.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
