import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { expect } from 'vitest';
import { z } from 'zod';
import { makeDynamoDbClient } from '#adapters/dynamodb/client.ts';
import { ensureEventsTable } from '#adapters/dynamodb/table-setup.ts';
import { runningStack } from '#local/stack-file.ts';
import { killHard, startChildStack, type ChildStack } from './child-stack.ts';
import { dynamoDbLocalPids, killDynamoDbLocal, killNow, waitForExit } from './dynamodb-local-process.ts';
import { uniqueId } from './events.ts';
import { ACME_KEY, request } from './http.ts';
import { alertLines, archivedEvents, parsePrometheus, storedEvents } from './pipeline-files.ts';

const at = '2026-11-23T10:00:00Z';
const ResultsSchema = z.object({ results: z.array(z.object({ eventId: z.string(), runId: z.string(), status: z.string(), seq: z.number().optional() })) });

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

export type CrashScenario = {
  /** Names the round in the summary line. */
  readonly name: string;
  /** Fractions of all events acknowledged at which the stack is killed. */
  readonly killAt: readonly number[];
  readonly eventsPerRun: number;
  /**
   * `shared`: the stack uses the test run's DynamoDB Local and only its Node process is killed.
   * `own`: the stack starts its own on-disk DynamoDB Local (as `npm start` does), and the Node
   * process and that JVM are SIGKILLed at the same moment, as a power cut would take both.
   */
  readonly dynamoDb: { readonly shared: string } | 'own';
};

export type CrashFigures = { rounds: number; acknowledged: number; lost: number; reassigned: number; storedTwice: number; archiveRepeats: number };

/** One stack generation: its Node process, the endpoint it serves DynamoDB on, and every pid a crash kills. */
type Generation = { stack: ChildStack; endpoint: string; pids: number[] };

/**
 * Writers stream events into a server-sequenced run (two writers) and a producer-sequenced run
 * (one writer), plus small runs that fail, through the HTTP API while the built-in observers run;
 * the stack is killed with SIGKILL at the given moments (in the tick a writer gets the 2xx that
 * crosses the mark, the narrowest window between an acknowledgement and a crash) and restarted
 * on the same data dir; every request that got no 2xx is re-sent. Then checks: every acknowledged
 * event stored once at its acknowledged seq (no seq given to another event), dense runs, archive
 * at least once, one alert per (run, kind), Prometheus counters equal to a recount. Leaves no
 * stack or JVM running.
 */
export async function crashAndCheck(scenario: CrashScenario): Promise<CrashFigures> {
  const dataDir = mkdtempSync(join(tmpdir(), 'runledger-crashdel-'));
  const dbPath = join(dataDir, 'dynamodb');
  const shared = scenario.dynamoDb === 'own' ? undefined : scenario.dynamoDb.shared;
  const tableName = uniqueId('crashdel');
  const env = { RUNLEDGER_TABLE_NAME: tableName, RUNLEDGER_API_KEYS: `acme:${ACME_KEY}`, RUNLEDGER_DATA_DIR: dataDir, ...(shared === undefined ? {} : { RUNLEDGER_DYNAMODB_ENDPOINT: shared }) };
  if (shared !== undefined) {
    const setup = makeDynamoDbClient({ endpoint: shared });
    await ensureEventsTable(setup, tableName);
    setup.destroy();
  }

  let current: Generation | undefined;
  const start = async (): Promise<Generation> => {
    const stack = await startChildStack(env);
    const endpoint = runningStack(dataDir)?.dynamoDbEndpoint;
    if (endpoint === undefined) throw new Error(`the stack wrote no dynamoDbEndpoint to ${dataDir}/stack.json: ${stack.output()}`);
    // Looked up now, not at the crash: the kill must follow the acknowledgement without a ps in between.
    const jvms = shared === undefined ? dynamoDbLocalPids(dbPath) : [];
    if (shared === undefined) {
      // Its own DynamoDB Local, on the data dir: one JVM, behind the endpoint the stack printed.
      expect(stack.output()).toContain(`DynamoDB at ${endpoint}`);
      expect(jvms).toHaveLength(1);
    }
    const node = stack.process.pid;
    current = { stack, endpoint, pids: node === undefined ? jvms : [node, ...jvms] };
    return current;
  };

  try {
    return await writeKillAndCheck(scenario, await start(), start, { dataDir, tableName });
  } finally {
    if (current !== undefined) await killHard(current.stack.process);
    await killDynamoDbLocal(dbPath);
  }
}

async function writeKillAndCheck(
  scenario: CrashScenario,
  first: Generation,
  start: () => Promise<Generation>,
  { dataDir, tableName }: { dataDir: string; tableName: string },
): Promise<CrashFigures> {
  let running = first;
  let up: Promise<Generation> = Promise.resolve(first);

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
  // The next crash: fired by the writer whose 2xx crosses the threshold, in that same tick.
  let armed: { threshold: number; fire: () => void } | undefined;
  const fireWhenDue = () => {
    if (armed !== undefined && acknowledged.size >= armed.threshold) armed.fire();
  };
  let resent = 0;
  const write = async (bodies: Body[]) => {
    for (const body of bodies) {
      for (;;) {
        const { stack } = await up;
        const answer = await request(stack.url, 'POST', '/v1/events', { body }).catch(() => undefined);
        if (answer !== undefined && answer.status >= 200 && answer.status < 300) {
          for (const result of ResultsSchema.parse(answer.body).results) {
            if (result.seq !== undefined && (result.status === 'accepted' || result.status === 'duplicate')) acknowledged.set(`${result.runId}/${result.eventId}`, result.seq);
          }
          fireWhenDue();
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
    const victim = running;
    await new Promise<void>((resolve, reject) => {
      armed = {
        threshold: total * fraction,
        fire: () => {
          armed = undefined;
          // Node and DynamoDB Local in one synchronous step: neither gets to notice the other going first.
          for (const pid of victim.pids) killNow(pid);
          // Writers wait for the restarted stack; what they sent to the dead one got no 2xx and is re-sent.
          up = (async () => {
            await Promise.all([killHard(victim.stack.process), waitForExit(victim.pids)]);
            running = await start();
            return running;
          })();
          up.then(() => resolve(), reject);
        },
      };
      fireWhenDue();
    });
    rounds += 1;
  }
  await writing;
  const { stack, endpoint } = running;

  // Everything acknowledged is stored exactly once at its acknowledged seq; both runs are dense.
  const client = DynamoDBDocumentClient.from(makeDynamoDbClient({ endpoint }));
  const stored = new Map<string, { seq: number; type: string }>();
  const atSeq = new Map<string, string>();
  let storedRows = 0;
  for (const runId of [serverRun, producerRun, ...failedRuns]) {
    const rows = await storedEvents(client, tableName, 'acme', runId);
    storedRows += rows.length;
    for (const row of rows) {
      stored.set(`${runId}/${row.eventId}`, { seq: row.seq, type: row.type });
      atSeq.set(`${runId}/${row.seq}`, row.eventId);
    }
    expect(rows.map((row) => row.seq).sort((a, b) => a - b), runId).toEqual(Array.from({ length: rows.length }, (_, i) => i + 1));
  }
  client.destroy();
  expect(acknowledged.size).toBe(total);
  const storedTwice = storedRows - stored.size;
  expect(storedTwice).toBe(0);
  let lost = 0;
  let reassigned = 0;
  for (const [key, seq] of acknowledged) {
    if (stored.get(key)?.seq !== seq) lost += 1;
    const runId = key.slice(0, key.indexOf('/'));
    const holder = atSeq.get(`${runId}/${seq}`);
    if (holder !== undefined && `${runId}/${holder}` !== key) reassigned += 1;
  }
  expect({ lost, reassigned }).toEqual({ lost: 0, reassigned: 0 });

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
  const archiveRepeats = archived.length - archivedKeys().size;

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

  const figures = { rounds, acknowledged: acknowledged.size, lost, reassigned, storedTwice, archiveRepeats };
  console.log(
    `crash-delivery (${scenario.name}): rounds=${rounds} acknowledged=${figures.acknowledged} resent=${resent} lost=${lost} reassigned=${reassigned} storedTwice=${storedTwice} archiveRepeats=${archiveRepeats}`,
  );
  return figures;
}
