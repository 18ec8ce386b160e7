import * as z from 'zod/mini';
import type { DeliveredEntry } from './ports.ts';

const NameSchema = z.string().check(z.minLength(1));

/** Loose objects: a ledger writer of a newer runledger reads what an older observer's middleware sent, and the other way round. */
const DeliveredEntrySchema = z.looseObject({
  tenant: NameSchema,
  runId: NameSchema,
  subscriber: NameSchema,
  kind: z.enum(['webhook', 'observer']),
  seqs: z.array(z.int().check(z.positive())).check(z.minLength(1)),
});

/** A message of the ledger queue: one observer invocation's successes, by run and subscriber. */
export const DeliveredMessageSchema = z.looseObject({ delivered: z.array(DeliveredEntrySchema) });
export type DeliveredMessage = z.infer<typeof DeliveredMessageSchema>;

/** A ledger queue message that is not JSON or not of the shape above: it will never be written, however often it is retried. */
export class InvalidDeliveredMessageError extends Error {
  override readonly name = 'InvalidDeliveredMessageError';
}

export function encodeDeliveredMessage(entries: readonly DeliveredEntry[]): string {
  const message: DeliveredMessage = {
    delivered: entries.map(({ tenant, runId, subscriber, kind, seqs }) => ({ tenant, runId, subscriber, kind, seqs: [...seqs] })),
  };
  return JSON.stringify(message);
}

/** The entries of one message body, or InvalidDeliveredMessageError naming the first bad field. */
export function parseDeliveredMessage(body: string): DeliveredEntry[] {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error: unknown) {
    throw new InvalidDeliveredMessageError('the ledger message is not JSON', { cause: error });
  }
  const parsed = DeliveredMessageSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidDeliveredMessageError(`the ledger message is invalid at '${issue?.path.join('.') ?? ''}': ${issue?.message ?? 'unknown'}`);
  }
  return parsed.data.delivered.map(({ tenant, runId, subscriber, kind, seqs }) => ({ tenant, runId, subscriber, kind, seqs }));
}
