import { describe, expect, inject, it } from 'vitest';
import { crashAndCheck } from '#test/support/crash-round.ts';

describe('a local stack killed with SIGKILL while writers stream events and observers run', () => {
  it('stores every acknowledged event once at its seq, archives all, alerts once per (run, kind), and counts each event once', async () => {
    const figures = await crashAndCheck({ name: 'stack killed, shared DynamoDB Local', killAt: [0.2, 0.5, 0.8], eventsPerRun: 400, dynamoDb: { shared: inject('dynamoDbEndpoint') } });
    expect(figures).toMatchObject({ rounds: 3, lost: 0, reassigned: 0 });
  }, 90_000);
});
