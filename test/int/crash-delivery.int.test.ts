import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynamoDbLocal, type RunningDynamoDb } from '#local/dynamodb-local.ts';
import { crashAndCheck } from '#test/support/crash-round.ts';

// Its own in-memory DynamoDB Local, which outlives every kill of the stack: on the run's shared one,
// the heaviest contract tests running beside it starved this round past its timeout in CI.
let dynamo: RunningDynamoDb;
beforeAll(async () => {
  dynamo = await startDynamoDbLocal();
});
afterAll(async () => {
  await dynamo.stop();
});

describe('a local stack killed with SIGKILL while writers stream events and observers run', () => {
  it('stores every acknowledged event once at its seq, archives all, alerts once per (run, kind), and counts each event once', async () => {
    const figures = await crashAndCheck({ name: 'stack killed, its DynamoDB Local kept', killAt: [0.2, 0.5, 0.8], eventsPerRun: 400, dynamoDb: { shared: dynamo.endpoint } });
    expect(figures).toMatchObject({ rounds: 3, lost: 0, reassigned: 0 });
  }, 120_000);
});
