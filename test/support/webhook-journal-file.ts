import { join } from 'node:path';
import { z } from 'zod';
import { readJsonLines } from '#local/jsonl-lines.ts';

const LineSchema = z.union([
  z.object({ op: z.literal('job'), id: z.string(), runAt: z.number(), job: z.looseObject({ subscriptionId: z.string(), attempt: z.number(), event: z.looseObject({ eventId: z.string() }) }) }),
  z.object({ op: z.literal('done'), id: z.string() }),
]);

export type PendingWebhookJob = { subscriptionId: string; attempt: number; eventId: string; runAt: number };

/**
 * The jobs a running (or killed) stack's webhook journal holds unfinished, read without touching
 * the file (recovering it would compact it under the stack): the test's evidence of what a crash
 * left to resume.
 */
export function pendingWebhookJobs(dataDir: string): PendingWebhookJob[] {
  const open = new Map<string, PendingWebhookJob>();
  for (const line of readJsonLines(join(dataDir, 'webhook-queue.jsonl'), LineSchema)) {
    if (line.op === 'done') open.delete(line.id);
    else open.set(line.id, { subscriptionId: line.job.subscriptionId, attempt: line.job.attempt, eventId: line.job.event.eventId, runAt: line.runAt });
  }
  return [...open.values()];
}
