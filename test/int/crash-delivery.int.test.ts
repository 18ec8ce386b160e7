import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { ensureEventsTable } from '#adapters/dynamodb/table-setup.ts';
import { makeDynamoDbClient } from '#adapters/dynamodb/client.ts';
import { killHard, startChildStack, type ChildStack } from '#test/support/child-stack.ts';
import { uniqueId } from '#test/support/events.ts';
import { ACME_KEY, request } from '#test/support/http.ts';
import { alertLines, archivedEvents, parsePrometheus, storedEvents } from '#test/support/pipeline-files.ts';

const sharedEndpoint = inject('dynamoDbEndpoint');
const at = '2026-11-23T10:00:00Z';
const ResultsSchema = z.object({ results: z.array(z.object({ eventId: z.string(), runId: z.string(), status: z.string(), seq: z.number().optional() })) });

let running: ChildStack | undefined;
afterEach(async () => {
  if (running !== undefined) await killHard(running.process);
  running = undefined;
});

type Body = { events: Array<Record<string, unknown>> };

/** Events of a writer: mostly progress, a final task failure every 25th, and run.failed at the end. */
function writerBodies(runId: string, prefix: string, count: number, options: { producerSeqs: boolean; failRun: boolean }): Body[] {
  const events = Array.from({ length: count }, (_, i) => {
    const seq = options.producerSeqs ? { seq: i + 1 } : {};
    if (options.failRun && i === count - 1) return { eventId: `${prefix}-${i}`, runId, type: 'run.failed', occurredAt: at, payload: { error: { message: 'gave up' } }, ...seq };
    if (i % 25 === 24) return { eventId: `${prefix}-${i}`, runId, type: 'task.failed', occurredAt: at, payload: { taskId: `t${i}`, error: { message: 'boom' } }, ...seq };
    return { eventId: `${prefix}-${i}`, runId, type: 'run.progress', occurredAt: at, payload: { progress: i / count }, ...seq };
  });
  const batch = 20;
  return Array.from({ length: Math.ceil(count / batch) }, (_, b) => ({ events: events.slice(b * batch, (b + 1) * batch) }));
}

type Scenario = {
  /** Fractions of all events acknowledged at which the stack is killed. */
  readonly killAt: readonly number[];
  readonly eventsPerRun: number;
};

/**
 * Writers stream events into a server-sequenced run (two writers) and a producer-sequenced run
 * (one writer), plus small runs that fail, through the HTTP API while the built-in observers run;
 * the stack is killed with SIGKILL at the given moments and restarted on the same data dir; every
 * request that got no 2xx is re-sent. Returns what the checks need.
 */
async function crashAndCheck(scenario: Scenario): Promise<{ rounds: number; events: number; lost: number; repeated: number }> {
  const tableName = uniqueId('crashdel');
  const dataDir = mkdtempSync(join(tmpdir(), 'runledger-crashdel-'));
  const env = { RUNLEDGER_TABLE_NAME: tableName, RUNLEDGER_API_KEYS: `acme:${ACME_KEY}`, RUNLEDGER_DATA_DIR: dataDir, RUNLEDGER_DYNAMODB_ENDPOINT: sharedEndpoint };
  await ensureEventsTable(makeDynamoDbClient({ endpoint: sharedEndpoint }), tableName);
  const start = () => startChildStack(env);
  running = await start();
  let up: Promise<ChildStack> = Promise.resolve(running);

  const serverRun = uniqueId('srv');
  const producerRun = uniqueId('prod');
  const half = scenario.eventsPerRun / 2;
  const writers = [
    writerBodies(serverRun, 'a', half, { producerSeqs: false, failRun: true }),
    writerBodies(serverRun, 'b', half, { producerSeqs: false, failRun: false }),
    writerBodies(producerRun, 'p', scenario.eventsPerRun, { producerSeqs: true, failRun: true }),
  ];
  const failedRuns = Array.from({ length: 12 }, () => uniqueId('fail'));
  writers.push(failedRuns.map((runId) => ({ events: [{ eventId: 'start', runId, type: 'run.started', occurredAt: at }, { eventId: 'end', runId, type: 'run.failed', occurredAt: at, payload: { error: { message: 'no' } } }] })));
  const total = writers.flat().reduce((sum, body) => sum + body.events.length, 0);

  const acknowledged = new Map<string, number>();
  let resent = 0;
  const write = async (bodies: Body[]) => {
    for (const body of bodies) {
      for (;;) {
        const stack = await up;
        const answer = await request(stack.url, 'POST', '/v1/events', { body }).catch(() => undefined);
        if (answer !== undefined && answer.status >= 200 && answer.status < 300) {
          for (const result of ResultsSchema.parse(answer.body).results) {
            if (result.seq !== undefined && (result.status === 'accepted' || result.status === 'duplicate')) acknowledged.set(`${result.runId}/${result.eventId}`, result.seq);
          }
          break;
        }
        resent += 1;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  };
  const writing = Promise.all(writers.map(write));

  let rounds = 0;
  for (const fraction of scenario.killAt) {
    while (acknowledged.size < total * fraction) await new Promise((resolve) => setTimeout(resolve, 5));
    const victim = running;
    // Writers wait for the restarted stack; what they sent to the dead one got no 2xx and is re-sent.
    const restarted = (async () => {
      await killHard(victim.process);
      running = await start();
      return running;
    })();
    up = restarted;
    await restarted;
    rounds += 1;
  }
  await writing;
  const stack = running;

  // Everything acknowledged is stored exactly once at its acknowledged seq; both runs are dense.
  const client = DynamoDBDocumentClient.from(makeDynamoDbClient({ endpoint: sharedEndpoint }));
  const stored = new Map<string, { seq: number; type: string }>();
  let storedRows = 0;
  for (const runId of [serverRun, producerRun, ...failedRuns]) {
    const rows = await storedEvents(client, tableName, 'acme', runId);
    storedRows += rows.length;
    for (const row of rows) stored.set(`${runId}/${row.eventId}`, { seq: row.seq, type: row.type });
    expect(rows.map((row) => row.seq).sort((a, b) => a - b), runId).toEqual(Array.from({ length: rows.length }, (_, i) => i + 1));
  }
  expect(acknowledged.size).toBe(total);
  expect(storedRows).toBe(stored.size);
  let lost = 0;
  for (const [key, seq] of acknowledged) if (stored.get(key)?.seq !== seq) lost += 1;
  expect(lost).toBe(0);

  // The archive holds every stored event at least once; repeats are allowed (and counted).
  const storedKeys = new Set([...stored].map(([key, { seq }]) => `${key.slice(0, key.indexOf('/'))}/${seq}`));
  const deadline = Date.now() + 40_000;
  let archived = archivedEvents(dataDir, 'acme');
  const archivedKeys = () => new Set(archived.map((line) => `${line.runId}/${line.seq}`));
  while ([...storedKeys].some((key) => !archivedKeys().has(key)) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    archived = archivedEvents(dataDir, 'acme');
  }
  expect([...storedKeys].filter((key) => !archivedKeys().has(key))).toEqual([]);
  const repeated = archived.length - archivedKeys().size;

  // Exactly one alert per (run, kind): run.failed in the runs that failed, task.failed where a task failed.
  const expectedAlerts = [`${serverRun}/run.failed`, `${serverRun}/task.failed`, `${producerRun}/run.failed`, `${producerRun}/task.failed`, ...failedRuns.map((runId) => `${runId}/run.failed`)].sort();
  const alertKeys = () => alertLines(dataDir).map((alert) => `${alert.runId}/${alert.kind}`).sort();
  while (alertKeys().length < expectedAlerts.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 250));
  expect(alertKeys()).toEqual(expectedAlerts);

  // The Prometheus counters equal a recount of the stored events.
  const recount = new Map<string, number>();
  for (const { type } of stored.values()) recount.set(type, (recount.get(type) ?? 0) + 1);
  const counters = async () => parsePrometheus((await request(stack.url, 'GET', '/v1/metrics')).text);
  const matches = (series: Map<string, number>) => [...recount].every(([type, count]) => series.get(`runledger_events_total{tenant="acme",type="${type}"}`) === count);
  let series = await counters();
  while (!matches(series) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    series = await counters();
  }
  expect(Object.fromEntries([...recount].map(([type]) => [type, series.get(`runledger_events_total{tenant="acme",type="${type}"}`)]))).toEqual(Object.fromEntries(recount));
  expect(series.get('runledger_runs_finished_total{tenant="acme",status="failed"}')).toBe(2 + failedRuns.length);

  client.destroy();
  console.log(`crash-delivery: rounds=${rounds} events=${total} resent=${resent} lost=${lost} repeated=${repeated} (archive repeat lines)`);
  return { rounds, events: total, lost, repeated };
}

describe('a local stack killed with SIGKILL while writers stream events and observers run', () => {
  it('stores every acknowledged event once at its seq, archives all, alerts once per (run, kind), and counts each event once', async () => {
    const figures = await crashAndCheck({ killAt: [0.2, 0.5, 0.8], eventsPerRun: 400 });
    expect(figures).toMatchObject({ rounds: 3, lost: 0 });
  }, 90_000);
});
