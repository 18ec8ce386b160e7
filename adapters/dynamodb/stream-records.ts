import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import { inflateRawSync } from 'node:zlib';
import { z } from 'zod';
import { parseStoredEvent } from '#shared/contract/event.ts';
import type { PublishedDetail } from '#shared/bus/published-event.ts';
import { EVENT_SK_PREFIX, parseRunPk } from './keys.ts';

/** A stream record the relay must account for; `detail` is absent for records that carry no new event. */
export type StreamedEvent = { readonly sequenceNumber: string; readonly detail?: PublishedDetail };

const RunPkSchema = z.string().transform((pk, context) => {
  const ref = parseRunPk(pk);
  if (ref !== undefined) return ref;
  context.addIssue({ code: 'custom', message: 'is not a run key' });
  return z.NEVER;
});

const EventImageSchema = z.object({
  pk: z.object({ S: RunPkSchema }),
  sk: z.object({ S: z.string() }),
  body: z.object({ B: z.string() }),
});

/**
 * Reads new event items out of a DynamoDB stream batch (the shape Lambda delivers: binary values
 * base64). Summaries, guards, key items and rewrites (MODIFY) are not new events: they pass
 * through with no detail, so they cost no PutEvents entry. In AWS the event source mapping's
 * filter keeps most of them from reaching the function at all.
 */
export function eventsFromStream(records: readonly DynamoDBRecord[]): StreamedEvent[] {
  return records.map((record) => {
    const sequenceNumber = record.dynamodb?.SequenceNumber ?? '';
    const image: Record<string, AttributeValue> | undefined = record.dynamodb?.NewImage;
    if (record.eventName !== 'INSERT' || image?.sk?.S?.startsWith(EVENT_SK_PREFIX) !== true) return { sequenceNumber };
    const item = EventImageSchema.parse(image);
    const { tenant } = item.pk.S;
    const stored = parseStoredEvent(JSON.parse(inflateRawSync(Buffer.from(item.body.B, 'base64')).toString('utf8')));
    return { sequenceNumber, detail: { ...stored, tenant } };
  });
}
