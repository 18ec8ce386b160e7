/**
 * `npm run example`: a simulated agent run against runledger (the local stack by default).
 *
 * It plans, then works through three tasks: fetching documents, summarizing them (the model is
 * "rate limited" on the first attempt, so the task retries once and succeeds), and writing the
 * answer, streamed as tokens. It reports progress after each task and ends with `run.completed`
 * holding the answer and the token usage. Then it prints the runId and the commands to look at it.
 */
import { randomBytes } from 'node:crypto';
import { resolveConnection } from '#cli/connection.ts';
import { RunReporter } from '#client/index.ts';

export const EXAMPLE_THREAD_ID = 'example-agent';

const ANSWER = 'runledger keeps every event of a run in order, exactly once, and tells you how it ended.';

/** Simulated work: long enough to watch with `tail`, short enough to finish in a few seconds. */
export type Pause = (ms: number) => Promise<void>;

const sleep: Pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The agent's work, reported step by step. Resolves once every event is delivered (or not). */
export async function runExampleAgent(reporter: RunReporter, pause: Pause = sleep): ReturnType<RunReporter['close']> {
  reporter.started();
  await pause(200);
  reporter.step('plan', 180);

  const fetchDocs = reporter.task('fetch-docs', { name: 'fetch documents', stage: 'retrieve' });
  const summarize = reporter.task('summarize', { name: 'summarize documents', stage: 'reason' });
  const answer = reporter.task('write-answer', { name: 'write the answer', stage: 'respond' });
  for (const task of [fetchDocs, summarize, answer]) task.queued();

  fetchDocs.started({ attempt: 1, workerId: 'worker-1' });
  await pause(400);
  fetchDocs.completed({ documents: 3 }, { durationMs: 400 });
  reporter.progress(1 / 3, 'fetched 3 documents', 'retrieve');

  summarize.started({ attempt: 1, workerId: 'worker-1' });
  await pause(250);
  const rateLimited = Object.assign(new Error('model rate limited (429), retrying in 300 ms'), { name: 'RateLimitError' });
  summarize.retrying(1, { maxAttempts: 3, error: rateLimited });
  await pause(300);
  summarize.started({ attempt: 2, workerId: 'worker-2' });
  await pause(350);
  summarize.completed({ summary: '3 documents, 2 relevant' }, { attempt: 2, durationMs: 350 });
  reporter.progress(2 / 3, 'summarized', 'reason');

  answer.started({ attempt: 1, workerId: 'worker-1' });
  const words = ANSWER.split(/(?<= )/);
  for (const [index, word] of words.entries()) {
    reporter.token(word, index);
    await pause(40);
  }
  answer.completed(undefined, { durationMs: words.length * 40 });
  reporter.step('review', 120);
  reporter.progress(1, 'answer written', 'respond');

  reporter.completed({ answer: ANSWER }, { inputTokens: 1840, outputTokens: words.length, totalTokens: 1840 + words.length }, 'What does runledger do?');
  return reporter.close();
}

async function main(): Promise<number> {
  const { url, apiKey } = resolveConnection(process.env);
  if (apiKey === undefined) {
    console.error('example: no API key. Start the local stack with `npm start` (it makes one) or set RUNLEDGER_API_KEY.');
    return 1;
  }
  // Fail fast with a useful line when nothing listens, instead of retrying every event.
  const health = await fetch(`${url}/v1/health`).catch(() => undefined);
  if (health === undefined) {
    console.error(`example: cannot reach runledger at ${url}: is \`npm start\` running?`);
    return 1;
  }
  const runId = `agent-${new Date().toISOString().slice(0, 19).replace(/[-:T]/g, '')}-${randomBytes(3).toString('hex')}`;
  console.log(`example agent: run ${runId} on ${url}`);
  // The TypeScript client: batches, retries and numbers the events itself (producer-sequenced).
  const reporter = new RunReporter({ baseUrl: url, apiKey, runId, threadId: EXAMPLE_THREAD_ID });
  const report = await runExampleAgent(reporter);
  const [firstProblem] = report.unsent;
  if (firstProblem !== undefined) {
    console.error(`example: ${report.unsent.length} events not delivered (${firstProblem.reason}: ${firstProblem.detail})`);
    return 1;
  }
  console.log(`sent ${report.sent} events in ${reporter.stats.requests} requests; the run is completed. Look at it:`);
  console.log(`  npm run runledger -- status ${runId}`);
  console.log(`  npm run runledger -- events ${runId}`);
  console.log(`  npm run runledger -- tail ${runId}      (start it while the example runs to follow live)`);
  console.log(`  npm run runledger -- runs --thread ${EXAMPLE_THREAD_ID}`);
  return 0;
}

if (import.meta.main) process.exitCode = await main();
