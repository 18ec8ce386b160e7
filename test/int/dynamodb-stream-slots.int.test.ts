import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbStreamSlots } from '#adapters/dynamodb/dynamodb-stream-slots.ts';
import { makeTestTable } from '#test/support/dynamodb.ts';

let slots: DynamoDbStreamSlots;
beforeEach(async () => {
  // A table per test: the leases live in one partition per table.
  const table = await makeTestTable();
  slots = new DynamoDbStreamSlots({ client: table.documentClient, tableName: table.tableName });
});

const NOW = new Date('2026-12-01T10:00:00Z');
const later = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);
const acquire = (leaseId: string, cap: number, now = NOW) => slots.acquire({ leaseId, cap, now, expiresAt: new Date(now.getTime() + 900_000) });

describe('DynamoDB stream slots', () => {
  it('admits up to the cap, refuses the next, and admits again after a release', async () => {
    const [a, b, c] = [await acquire('a', 2), await acquire('b', 2), await acquire('c', 2)];
    expect([a !== undefined, b !== undefined, c !== undefined]).toEqual([true, true, false]);
    await a?.release();
    expect(await acquire('d', 2)).toBeDefined();
    expect(await acquire('e', 2)).toBeUndefined();
  });

  it('fills exactly the cap when 30 streams open at once: never more, and a burst does not lock everyone out', async () => {
    const admitted = await Promise.all(Array.from({ length: 30 }, (_, index) => acquire(`racer-${index}`, 5)));
    expect(admitted.filter((slot) => slot !== undefined)).toHaveLength(5);
    expect(await acquire('after', 5)).toBeUndefined();
  });

  it('frees the slot of a holder that never released once its lease has expired, and the late release of that holder frees nothing', async () => {
    const crashed = await slots.acquire({ leaseId: 'crashed', cap: 1, now: NOW, expiresAt: later(60) });
    expect(await acquire('early', 1, later(30))).toBeUndefined();
    const late = await acquire('late', 1, later(61));
    expect(late).toBeDefined();
    await crashed?.release();
    expect(await acquire('third', 1, later(62))).toBeUndefined();
  });
});
