import * as z from 'zod/mini';

/** The raw (unmarshalled by nobody) item DynamoDB returns with a failed condition under ALL_OLD. */
const HeldItemSchema = z.object({
  Item: z.object({
    eventId: z.object({ S: z.string() }),
    hash: z.object({ S: z.string() }),
    seq: z.object({ N: z.string() }),
  }),
});

/** What holds an event slot, read from a ConditionalCheckFailedException; undefined if it did not say. */
export function heldFromFailure(error: unknown): { eventId: string; hash: string; seq: number } | undefined {
  const parsed = HeldItemSchema.safeParse(error);
  if (!parsed.success) return undefined;
  const { eventId, hash, seq } = parsed.data.Item;
  return { eventId: eventId.S, hash: hash.S, seq: Number(seq.N) };
}

/** A write refused because its ConditionExpression did not hold (the SDK's ConditionalCheckFailedException). */
export function isConditionFailure(error: unknown): error is Error {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}
