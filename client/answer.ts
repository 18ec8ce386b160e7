import { z } from 'zod';
import { ErrorBodySchema, type ErrorBody } from '#shared/contract/error-body.ts';
import { IngestResultSchema, type IngestResult } from '#shared/ingest/ingest-result.ts';
import { parseRetryAfter } from './backoff.ts';

const IngestAnswerSchema = z.object({ results: z.array(IngestResultSchema) });

/** What one ingest request's outcome means for the batch it carried. */
export type AnswerVerdict =
  /** The server judged each event: accepted/duplicate are delivered, rejected/conflict are final. */
  | { readonly kind: 'judged'; readonly results: readonly IngestResult[] }
  /** Nothing is known to be stored, and trying again may work: the network, 429, 5xx, an unreadable answer. */
  | { readonly kind: 'retry'; readonly reason: string; readonly retryAfterMs?: number }
  /** The request itself was refused (401, 413, a malformed body...): sending it again cannot work. */
  | { readonly kind: 'refused'; readonly status: number; readonly error?: ErrorBody['error'] };

/**
 * Reads an ingest answer (docs/contract.md, "Answers"): 202/207/400/409 with per-event results are
 * judged; 408, 429 and 5xx are retried (429 after its Retry-After); any other 4xx is refused and never
 * retried. A 2xx whose body cannot be read is retried: resending is safe, events already stored
 * come back `duplicate`.
 */
export function readAnswer(status: number, headers: Headers, body: unknown, nowMs: number): AnswerVerdict {
  const judged = IngestAnswerSchema.safeParse(body);
  if (judged.success && [202, 207, 400, 409].includes(status)) return { kind: 'judged', results: judged.data.results };
  if (status === 408 || status === 429 || status >= 500 || status < 400) {
    const retryAfterMs = parseRetryAfter(headers.get('retry-after'), nowMs);
    return { kind: 'retry', reason: `HTTP ${status}`, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  }
  const error = ErrorBodySchema.safeParse(body);
  return { kind: 'refused', status, ...(error.success ? { error: error.data.error } : {}) };
}
