import { z } from 'zod';
import { parseStoredEvent, type StoredEvent } from '../contract/event.ts';
import { TenantIdSchema } from '../contract/ids.ts';
import { EVENT_SOURCE } from './observer-filter.ts';

/** What observers get in `detail`: the stored event plus its tenant (docs/contract.md). */
export type PublishedDetail = StoredEvent & { tenant: string };

/** The EventBridge event an observer Lambda receives, typed from the contract's schemas. */
export type RunLedgerBusEvent = {
  id: string;
  source: typeof EVENT_SOURCE;
  'detail-type': string;
  time: string;
  detail: PublishedDetail;
};

const EnvelopeSchema = z.looseObject({
  id: z.string(),
  source: z.literal(EVENT_SOURCE),
  'detail-type': z.string(),
  time: z.string(),
  detail: z.looseObject({ tenant: TenantIdSchema }),
});

/**
 * For observer authors: checks an incoming EventBridge event and returns it typed, the event
 * validated by the same zod schemas as ingest. Throws (zod) on anything that is not runledger's.
 */
export function parseBusEvent(input: unknown): RunLedgerBusEvent {
  const envelope = EnvelopeSchema.parse(input);
  const { tenant, ...stored } = envelope.detail;
  return {
    id: envelope.id,
    source: envelope.source,
    'detail-type': envelope['detail-type'],
    time: envelope.time,
    detail: { ...parseStoredEvent(stored), tenant },
  };
}
