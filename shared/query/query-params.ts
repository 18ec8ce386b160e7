import { z } from 'zod';
import { isCustomEventType, isKnownEventType } from '../contract/event.ts';
import { toFieldErrors } from '../contract/issues.ts';
import { friendlyErrorMap } from '../contract/issues.ts';
import { InvalidRequestError } from '../errors.ts';
import { ThreadIdSchema } from '../contract/ids.ts';
import { RunStatusSchema } from '../run/status.ts';

export const MAX_PAGE_SIZE = 1000;
export const DEFAULT_PAGE_SIZE = 100;

const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, { error: 'must be a whole number' })
    .transform(Number)
    .pipe(z.int().min(min).max(max));

const TypeListSchema = z
  .string()
  .transform((list) => list.split(',').map((type) => type.trim()).filter((type) => type !== ''))
  .refine((types) => types.length > 0, { error: 'must name at least one event type' })
  .superRefine((types, context) => {
    for (const type of types) {
      if (!isKnownEventType(type) && !isCustomEventType(type) && type !== 'custom:*') {
        context.addIssue({ code: 'custom', message: `'${type}' is not an event type (a known type, custom:NAME or custom:*)` });
      }
    }
  });

/** A seq to resume after: `?afterSeq=` or the `Last-Event-ID` header an EventSource sends back. */
export const ResumeSeqSchema = wholeNumber(0, 9_999_999_999);

/** `GET /v1/runs/{runId}/events?afterSeq=&limit=&types=` */
export const EventPageQuerySchema = z.object({
  afterSeq: ResumeSeqSchema.default(0).describe('Only events after this seq (0, the default: from the start).'),
  limit: wholeNumber(1, MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE).describe(`Events per page, 1-${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE}).`),
  types: TypeListSchema.optional().describe('Comma-separated event types to keep (custom:* for every custom type).'),
});
export type EventPageQuery = z.infer<typeof EventPageQuerySchema>;

export const MAX_RUNS_PAGE_SIZE = 100;
export const DEFAULT_RUNS_PAGE_SIZE = 20;

/** `GET /v1/runs?status=&threadId=&limit=&cursor=` */
export const RunsQuerySchema = z.object({
  status: RunStatusSchema.optional().describe('Only runs in this status.'),
  threadId: ThreadIdSchema.optional().describe('Only runs of this thread.'),
  // At most one BatchGet of summaries per page.
  limit: wholeNumber(1, MAX_RUNS_PAGE_SIZE).default(DEFAULT_RUNS_PAGE_SIZE).describe(`Runs per page, 1-${MAX_RUNS_PAGE_SIZE} (default ${DEFAULT_RUNS_PAGE_SIZE}).`),
  cursor: z.string().min(1).max(2048).optional().describe('nextCursor of the previous page, with the same status and threadId.'),
});

/** `GET /v1/runs/{runId}/stream?afterSeq=` */
export const StreamQuerySchema = z.object({
  afterSeq: ResumeSeqSchema.default(0).describe('Start after this seq; the Last-Event-ID header wins when both are sent.'),
});

/** Parses query parameters, answering a bad one with a 400 that names it. */
export function parseQuery<T extends z.ZodType>(schema: T, query: Record<string, string | undefined> | null): z.infer<T> {
  const parsed = schema.safeParse(query ?? {}, { error: friendlyErrorMap });
  if (!parsed.success) {
    const errors = toFieldErrors(parsed.error);
    throw new InvalidRequestError('invalid_parameter', `bad query parameter: ${errors.map((error) => `${error.path} ${error.message}`).join('; ')}`, errors);
  }
  return parsed.data;
}
