import * as z from 'zod/mini';
import { FieldErrorSchema } from '../contract/issues.ts';

/** One event's answer (docs/contract.md, "Answers"). */
export const IngestResultSchema = z.discriminatedUnion('status', [
  z.object({ status: z.enum(['accepted', 'duplicate']), eventId: z.string(), runId: z.string(), seq: z.int() }),
  z.object({
    status: z.literal('rejected'),
    eventId: z.nullable(z.string()),
    runId: z.nullable(z.string()),
    errors: z.array(FieldErrorSchema),
  }),
  z.object({
    status: z.literal('conflict'),
    eventId: z.string(),
    runId: z.string(),
    seq: z.optional(z.int()),
    message: z.string(),
  }),
]);
export type IngestResult = z.infer<typeof IngestResultSchema>;

export type IngestOutcome = 'all_stored' | 'partly_stored' | 'rejected' | 'conflict';

/**
 * Sums up a request: all accepted or duplicate; some and some not; none stored with at least one
 * rejected; none stored and every one a conflict. The HTTP edge turns these into 202/207/400/409.
 */
export function summarizeResults(results: readonly IngestResult[]): IngestOutcome {
  const stored = results.filter((result) => result.status === 'accepted' || result.status === 'duplicate').length;
  if (stored === results.length) return 'all_stored';
  if (stored > 0) return 'partly_stored';
  return results.some((result) => result.status === 'rejected') ? 'rejected' : 'conflict';
}
