import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbAlertClaims } from '#adapters/dynamodb/dynamodb-alert-claims.ts';
import { alertPk, alertSk } from '#adapters/dynamodb/keys.ts';
import { makeAlertingObserver } from '#shared/observers/alerting.ts';
import { describeAlertClaimsContract } from '#test/contract/alert-claims.contract.ts';
import { flakySink, runFailedEvent } from '#test/support/alerts.ts';
import { fakeClock } from '#test/support/clock.ts';
import { makeTestTable } from '#test/support/dynamodb.ts';
import { uniqueId } from '#test/support/events.ts';

let table: Awaited<ReturnType<typeof makeTestTable>>;
beforeAll(async () => {
  table = await makeTestTable();
});
const makeClaims = () => new DynamoDbAlertClaims({ client: table.documentClient, tableName: table.tableName, retentionDays: 1 });

describeAlertClaimsContract('DynamoDB', () => Promise.resolve(makeClaims()));

describe('DynamoDB alert claims', () => {
  it('counts a claim written before leases (no state) as sent, so its sink is not alerted again', async () => {
    const runId = uniqueId('run');
    await table.documentClient.send(
      new PutCommand({ TableName: table.tableName, Item: { pk: alertPk('acme', runId), sk: alertSk('run.failed', 'sns'), alertedAt: '2026-11-20T10:00:00.000Z', expiresAt: 1 } }),
    );
    const sink = flakySink('sns');
    const observe = makeAlertingObserver({ claims: makeClaims(), sinks: [sink], clock: fakeClock() });

    await observe(runFailedEvent(runId));

    expect(sink.sent).toHaveLength(0);
  });

  it('keeps the expiry of a sent claim, so TTL removes it after the retention', async () => {
    const runId = uniqueId('run');
    const clock = fakeClock();
    const observe = makeAlertingObserver({ claims: makeClaims(), sinks: [flakySink('sns')], clock });

    await observe(runFailedEvent(runId));

    const { Item } = await table.documentClient.send(new GetCommand({ TableName: table.tableName, Key: { pk: alertPk('acme', runId), sk: alertSk('run.failed', 'sns') }, ConsistentRead: true }));
    expect(Item).toEqual(expect.objectContaining({ state: 'sent', expiresAt: Math.floor(clock.now().getTime() / 1000) + 86_400 }));
    expect(Item).not.toHaveProperty('leaseUntil');
  });
});
