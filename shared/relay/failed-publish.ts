import { z } from 'zod';
import type { PublishedDetail } from '../bus/published-event.ts';
import type { FailedPublish } from '../ports.ts';

/** A kept failure read back (from SQS or a file): parsed, never trusted. */
export const FailedPublishSchema = z.object({
  tenant: z.string().min(1),
  runId: z.string().min(1),
  seqs: z.array(z.number().int().positive()).min(1),
  types: z.array(z.string()),
  reason: z.string(),
  failedAt: z.string(),
});

export function parseFailedPublish(input: unknown): FailedPublish {
  return FailedPublishSchema.parse(input);
}

/** The events the relay gave up on, one failure per run (a batch holds many runs). */
export function toFailedPublishes(details: readonly PublishedDetail[], reason: string, failedAt: Date): FailedPublish[] {
  const byRun = new Map<string, PublishedDetail[]>();
  for (const detail of details) {
    const key = JSON.stringify([detail.tenant, detail.runId]);
    byRun.set(key, [...(byRun.get(key) ?? []), detail]);
  }
  return [...byRun.values()].flatMap((run) => {
    const [first] = run;
    if (first === undefined) return [];
    return [{
      tenant: first.tenant,
      runId: first.runId,
      seqs: [...new Set(run.map((detail) => detail.seq))].sort((a, b) => a - b),
      types: [...new Set(run.map((detail) => detail.type))].sort(),
      reason,
      failedAt: failedAt.toISOString(),
    }];
  });
}

/** `3`, or `3-25`: the first and last seq a failure names (it may skip some between), for progress lines. */
export function seqRange(seqs: readonly number[]): string {
  const [first] = seqs;
  const last = seqs.at(-1);
  return first === last ? String(first) : `${first}-${last}`;
}
