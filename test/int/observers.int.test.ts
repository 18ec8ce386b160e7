import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbAlertClaims } from '#adapters/dynamodb/dynamodb-alert-claims.ts';
import type { RunningLocalStack } from '#local/stack.ts';
import { parseBusEvent, type RunLedgerBusEvent } from '#shared/bus/published-event.ts';
import { makeAlertingObserver, type Alert } from '#shared/observers/alerting.ts';
import { systemClock } from '#shared/ports.ts';
import { makeTestTable } from '#test/support/dynamodb.ts';
import { flakySink, runFailedEvent } from '#test/support/alerts.ts';
import { uniqueId } from '#test/support/events.ts';
import { request, startTestStack } from '#test/support/http.ts';

let stack: RunningLocalStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack.stop());

const at = '2026-11-23T10:00:00Z';

function filesUnder(dir: string): string[] {
  try {
    return readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((file) => join(dir, file)).filter((file) => file.endsWith('.jsonl'));
  } catch {
    return [];
  }
}

describe('built-in observers on the local stack', () => {
  it('alerts once for a failed run, in the alerts file', async () => {
    const runId = uniqueId('run');
    await request(stack.url, 'POST', `/v1/runs/${runId}/events`, {
      body: { events: [{ eventId: 's', type: 'run.started', occurredAt: at }, { eventId: 'f', type: 'run.failed', occurredAt: at, payload: { error: { message: 'disk full' } } }] },
    });
    await stack.settled();
    const alerts = readFileSync(join(stack.dataDir, 'alerts.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Alert).filter((alert) => alert.runId === runId);
    expect(alerts).toEqual([expect.objectContaining({ kind: 'run.failed', tenant: 'acme', title: `run ${runId} failed`, message: 'disk full', seq: 2 })]);
  });

  it('times out a silent run through the normal pipeline: stored, published and alerted once', async () => {
    const runId = uniqueId('run');
    await request(stack.url, 'POST', `/v1/runs/${runId}/events`, { body: { eventId: 's', type: 'run.started', occurredAt: at } });
    const tenMinutesOn = new Date(Date.now() + 10 * 60_000).toISOString();
    for (let pass = 0; pass < 2; pass++) {
      const check = await request(stack.url, 'POST', `/local/stale-check?at=${tenMinutesOn}`);
      expect(check.body).toMatchObject({ timedOut: pass === 0 ? expect.any(Number) : 0 });
    }
    const run = await request(stack.url, 'GET', `/v1/runs/${runId}`);
    expect(run.body).toMatchObject({ status: 'timed_out', lastSeq: 2 });
    await stack.settled();
    const alerts = readFileSync(join(stack.dataDir, 'alerts.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Alert).filter((alert) => alert.runId === runId);
    expect(alerts).toEqual([expect.objectContaining({ kind: 'run.timed_out', tenant: 'acme', seq: 2 })]);
  });

  it('counts events per tenant and type, as EMF lines and as Prometheus text', async () => {
    const runId = uniqueId('run');
    await request(stack.url, 'POST', `/v1/runs/${runId}/events`, {
      body: { events: [{ eventId: 'r', type: 'task.retrying', occurredAt: at, payload: { taskId: 't', attempt: 2 } }, { eventId: 'c', type: 'run.completed', occurredAt: at }] },
    });
    await stack.settled();
    const emf = readFileSync(join(stack.dataDir, 'metrics.log'), 'utf8');
    expect(emf).toContain('"CloudWatchMetrics"');
    const text = (await request(stack.url, 'GET', '/v1/metrics')).text;
    expect(text).toMatch(/^runledger_events_total\{tenant="acme",type="task.retrying"\} \d+$/m);
    expect(text).toMatch(/^runledger_runs_finished_total\{tenant="acme",status="completed"\} \d+$/m);
    expect(text).toMatch(/^runledger_task_retries_total\{tenant="acme"\} \d+$/m);
    expect(text).not.toContain('type="token"');
  });

  it('archives every event as JSON Lines by tenant and date, in batches', async () => {
    const runId = uniqueId('run');
    const events = Array.from({ length: 30 }, (_, i) => ({ eventId: `t${i}`, type: 'token', occurredAt: at, payload: { text: `w${i}` } }));
    await request(stack.url, 'POST', `/v1/runs/${runId}/events`, { body: { events } });
    await stack.settled();
    const files = filesUnder(join(stack.dataDir, 'archive', 'tenant=acme'));
    const lines = files.flatMap((file) => readFileSync(file, 'utf8').trim().split('\n')).map((line) => JSON.parse(line) as { runId: string; seq: number });
    const mine = lines.filter((line) => line.runId === runId).map((line) => line.seq).sort((a, b) => a - b);
    expect(mine).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(files.every((file) => /date=\d{4}-\d{2}-\d{2}/.test(file))).toBe(true);
    expect(files.length).toBeLessThan(lines.length);
  });
});

describe('alerting observer', () => {
  it('sends one alert when the same event is delivered twice at once, then again', async () => {
    const table = await makeTestTable();
    const sent: Alert[] = [];
    const observe = makeAlertingObserver({
      claims: new DynamoDbAlertClaims({ client: DynamoDBDocumentClient.from(table.client), tableName: table.tableName, retentionDays: 1 }),
      clock: systemClock,
      sinks: [{ name: 'test', send: (alert) => Promise.resolve(void sent.push(alert)) }],
    });
    const event: RunLedgerBusEvent = parseBusEvent({
      id: 'x',
      source: 'runledger',
      'detail-type': 'task.failed',
      time: at,
      detail: { eventId: 'e', runId: 'r', type: 'task.failed', occurredAt: at, seq: 3, receivedAt: at, tenant: 'acme', payload: { taskId: 't', error: { message: 'nope' } } },
    });
    const atOnce = await Promise.allSettled([observe(event), observe(event)]);
    await observe(event);
    expect(sent).toHaveLength(1);
    // One delivery sends. The other either found the claim held and failed, so its queue retries it
    // (and then finds it sent), or ran after the first had finished and found it sent: which one
    // depends on timing, the single alert does not.
    expect(atOnce.some((outcome) => outcome.status === 'fulfilled')).toBe(true);
    for (const outcome of atOnce) if (outcome.status === 'rejected') expect(String(outcome.reason)).toMatch(/could not be sent/);
  });

  it('gives the claim back when a sink fails, so the retry alerts', async () => {
    const table = await makeTestTable();
    let failures = 1;
    const sent: Alert[] = [];
    const observe = makeAlertingObserver({
      claims: new DynamoDbAlertClaims({ client: DynamoDBDocumentClient.from(table.client), tableName: table.tableName, retentionDays: 1 }),
      clock: systemClock,
      sinks: [{ name: 'sns', send: (alert) => (failures-- > 0 ? Promise.reject(new Error('SNS down')) : Promise.resolve(void sent.push(alert))) }],
    });
    const event = parseBusEvent({
      id: 'x',
      source: 'runledger',
      'detail-type': 'run.timed_out',
      time: at,
      detail: { eventId: 'e', runId: 'r', type: 'run.timed_out', occurredAt: at, seq: 9, receivedAt: at, tenant: 'acme' },
    });
    await expect(observe(event)).rejects.toThrow(/could not be sent/);
    await observe(event);
    expect(sent.map((alert) => alert.kind)).toEqual(['run.timed_out']);
  });

  it('sends one alert per sink on DynamoDB, when one sink fails three times then recovers across five deliveries', async () => {
    const table = await makeTestTable();
    const email = flakySink('sns');
    const webhook = flakySink('webhook', 3);
    const observe = makeAlertingObserver({
      claims: new DynamoDbAlertClaims({ client: DynamoDBDocumentClient.from(table.client), tableName: table.tableName, retentionDays: 1 }),
      clock: systemClock,
      sinks: [email, webhook],
    });
    const event = runFailedEvent(uniqueId('run'));
    let failed = 0;
    for (let delivery = 0; delivery < 5; delivery++) await observe(event).catch(() => failed++);
    expect(failed).toBe(3);
    expect({ email: email.sent.length, webhook: webhook.sent.length, emailAttempts: email.attempts }).toEqual({ email: 1, webhook: 1, emailAttempts: 1 });
  });
});
