/**
 * The shapes of runledger's answers as the CLI reads them (docs/contract.md). Loose where the
 * CLI only shows a few fields, so a server that adds fields never breaks it.
 */
import { z } from 'zod';
import { IngestResultSchema } from '#shared/ingest/ingest-result.ts';
import { RunSummarySchema } from '#shared/run/run-summary.ts';
import { RUN_STATUSES, RunStatusSchema } from '#shared/run/status.ts';

export { RunSummarySchema };

export const StoredEventSchema = z.looseObject({
  eventId: z.string(),
  runId: z.string(),
  threadId: z.string().optional(),
  type: z.string(),
  seq: z.int(),
  occurredAt: z.string(),
  receivedAt: z.string(),
  payload: z.record(z.string(), z.unknown()).optional(),
});
export type StoredEventView = z.infer<typeof StoredEventSchema>;

export const EventPageSchema = z.object({ events: z.array(StoredEventSchema), nextAfterSeq: z.int().nullable() });
export type EventPage = z.infer<typeof EventPageSchema>;

export const RunListItemSchema = z.looseObject({
  runId: z.string(),
  status: RunStatusSchema,
  threadId: z.string().nullable().optional(),
  updatedAt: z.string().optional(),
  startedAt: z.string().nullable().optional(),
  durationMs: z.number().nullable().optional(),
  eventCount: z.int().optional(),
});
export type RunListItem = z.infer<typeof RunListItemSchema>;

export const RunListSchema = z.object({ runs: z.array(RunListItemSchema), nextCursor: z.string().nullable().optional() });

export const StatsSchema = z.object({ runs: z.record(z.enum(RUN_STATUSES), z.int()) });

export const IngestAnswerSchema = z.object({ results: z.array(IngestResultSchema) });
export type IngestAnswer = z.infer<typeof IngestAnswerSchema>;
