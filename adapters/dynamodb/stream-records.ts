import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import { inflateRawSync } from 'node:zlib';
import { z } from 'zod';
import { parseStoredEvent } from '#shared/contract/event.ts';
import type { RelayRecord } from '#shared/relay/make-relay.ts';
import { EVENT_SK_PREFIX, parseRunPk, SUMMARY_SK } from './keys.ts';

/** A stream record the relay must account for (shared/relay/make-relay.ts says what each kind means). */
export type StreamedEvent = RelayRecord;

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

const SeqNumberSchema = z.object({ N: z.string().regex(/^[1-9]\d*$/).transform(Number) });

const ConfirmImageSchema = z.object({
  pk: z.object({ S: RunPkSchema }),
  confirmedFrom: SeqNumberSchema,
  confirmedTo: SeqNumberSchema,
});

/**
 * Reads a DynamoDB stream batch (the shape Lambda delivers: binary values base64) into what the
 * relay publishes:
 * - a producer-sequenced event item's INSERT carries the event itself (its run may have gaps by
 *   design, so it is published as it lands);
 * - a server-sequenced run's summary revision that confirms seqs names that range: the relay reads
 *   those events back and publishes them in seq order. Its event items (`dense`) are not published
 *   from their own records: they land before the confirm, out of order across a write's parallel
 *   calls, and a crashed writer's may wait for the next writer's confirm;
 * - everything else (claims, guards, keys, rewrites) passes through with neither, costing no
 *   PutEvents entry. In AWS the event source mapping's filter keeps most of it from the function.
 */
export function eventsFromStream(records: readonly DynamoDBRecord[]): StreamedEvent[] {
  return records.map((record) => {
    const sequenceNumber = record.dynamodb?.SequenceNumber ?? '';
    const image: Record<string, AttributeValue> | undefined = record.dynamodb?.NewImage;
    const sk = image?.sk?.S;
    if (sk === SUMMARY_SK && record.eventName !== 'REMOVE' && image?.confirmedTo !== undefined) {
      const summary = ConfirmImageSchema.parse(image);
      return { sequenceNumber, confirmed: { ...summary.pk.S, from: summary.confirmedFrom.N, to: summary.confirmedTo.N } };
    }
    if (record.eventName !== 'INSERT' || sk?.startsWith(EVENT_SK_PREFIX) !== true || image?.dense?.BOOL === true) return { sequenceNumber };
    const item = EventImageSchema.parse(image);
    const { tenant } = item.pk.S;
    const stored = parseStoredEvent(JSON.parse(inflateRawSync(Buffer.from(item.body.B, 'base64')).toString('utf8')));
    return { sequenceNumber, detail: { ...stored, tenant } };
  });
}
