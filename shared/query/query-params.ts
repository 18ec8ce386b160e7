import * as z from 'zod/mini';
import { isCustomEventType, isKnownEventType } from '../contract/event.ts';
import { toFieldErrors } from '../contract/issues.ts';
import { friendlyErrorMap } from '../contract/issues.ts';
import { InvalidRequestError } from '../errors.ts';
import { ThreadIdSchema } from '../contract/ids.ts';
import { RunStatusSchema } from '../run/status.ts';

export const MAX_PAGE_SIZE = 1000;
export const DEFAULT_PAGE_SIZE = 100;

const wholeNumber = (min: number, max: number) =>
  z.pipe(z.pipe(z.string().check(z.regex(/^\d+$/, { error: 'must be a whole number' })), z.transform(Number)), z.int().check(z.gte(min), z.lte(max)));

const TypeListSchema = z.pipe(z.string(), z.transform((list) => list.split(',').map((type) => type.trim()).filter((type) => type !== ''))).check(
  z.refine((types) => types.length > 0, { error: 'must name at least one event type' }),
  z.superRefine((types, context) => {
    for (const type of types) {
      if (!isKnownEventType(type) && !isCustomEventType(type) && type !== 'custom:*') {
        context.addIssue({ code: 'custom', message: `'${type}' is not an event type (a known type, custom:NAME or custom:*)` });
      }
    }
  }),
);

/** A query parameter's documentation, shown in the OpenAPI document. */
const described = <T extends z.ZodMiniType>(schema: T, description: string): T => schema.check(z.describe(description));

/** A seq to resume after: `?afterSeq=` or the `Last-Event-ID` header an EventSource sends back. */
export const ResumeSeqSchema = wholeNumber(0, 9_999_999_999);

/** `GET /v1/runs/{runId}/events?afterSeq=&limit=&types=` */
export const EventPageQuerySchema = z.object({
  afterSeq: described(z._default(ResumeSeqSchema, 0), 'Only events after this seq (0, the default: from the start).'),
  limit: described(z._default(wholeNumber(1, MAX_PAGE_SIZE), DEFAULT_PAGE_SIZE), `Events per page, 1-${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE}).`),
  types: described(z.optional(TypeListSchema), 'Comma-separated event types to keep (custom:* for every custom type).'),
});
export type EventPageQuery = z.infer<typeof EventPageQuerySchema>;

/** `GET /v1/runs/{runId}/tasks/{taskId}?afterSeq=&limit=`: a task's events are never filtered by type. */
export const TaskHistoryQuerySchema = z.omit(EventPageQuerySchema, { types: true });

export const MAX_RUNS_PAGE_SIZE = 100;
export const DEFAULT_RUNS_PAGE_SIZE = 20;

/** `GET /v1/runs?status=&threadId=&limit=&cursor=` */
export const RunsQuerySchema = z.object({
  status: described(z.optional(RunStatusSchema), 'Only runs in this status.'),
  threadId: described(z.optional(ThreadIdSchema), 'Only runs of this thread.'),
  // At most one BatchGet of summaries per page.
  limit: described(z._default(wholeNumber(1, MAX_RUNS_PAGE_SIZE), DEFAULT_RUNS_PAGE_SIZE), `Runs per page, 1-${MAX_RUNS_PAGE_SIZE} (default ${DEFAULT_RUNS_PAGE_SIZE}).`),
  cursor: described(z.optional(z.string().check(z.minLength(1), z.maxLength(2048))), 'nextCursor of the previous page, with the same status and threadId.'),
});

/** `GET /v1/runs/{runId}/stream?afterSeq=` */
export const StreamQuerySchema = z.object({
  afterSeq: described(z._default(ResumeSeqSchema, 0), 'Start after this seq; the Last-Event-ID header wins when both are sent.'),
});

/** Parses query parameters, answering a bad one with a 400 that names it. */
export function parseQuery<T extends z.ZodMiniType>(schema: T, query: Record<string, string | undefined> | null): z.infer<T> {
  const parsed = schema.safeParse(query ?? {}, { error: friendlyErrorMap });
  if (!parsed.success) {
    const errors = toFieldErrors(parsed.error);
    throw new InvalidRequestError('invalid_parameter', `bad query parameter: ${errors.map((error) => `${error.path} ${error.message}`).join('; ')}`, errors);
  }
  return parsed.data;
}
