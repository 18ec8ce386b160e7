import { describe, expect, it } from 'vitest';
import { crashAndCheck } from '#test/support/crash-round.ts';

describe('a local stack and its own on-disk DynamoDB Local SIGKILLed together while writers stream events', () => {
  it('loses no acknowledged event, gives no acknowledged seq to another event, archives all, alerts once per (run, kind), and counts each event once', async () => {
    // Each restart starts DynamoDB Local again (~6 s): two kills keep the file near a minute.
    const figures = await crashAndCheck({ name: 'stack and DynamoDB Local killed together', killAt: [0.3, 0.7], eventsPerRun: 200, dynamoDb: 'own' });
    expect(figures).toMatchObject({ rounds: 2, lost: 0, reassigned: 0, storedTwice: 0 });
  }, 120_000);
});
