import { z } from 'zod';
import { MAX_ID_LENGTH } from './limits.ts';

const ID_PATTERN = /^[A-Za-z0-9._:-]+$/;
const ID_RULE = `must be 1-${MAX_ID_LENGTH} characters of letters, digits, '.', '_', ':' or '-'`;

/** The charset shared by eventId, runId and threadId: safe inside DynamoDB keys and URLs. */
export const IdSchema = z
  .string({ error: (issue) => (issue.input === undefined ? 'is required' : `must be a string; ${ID_RULE}`) })
  .min(1, { error: ID_RULE })
  .max(MAX_ID_LENGTH, { error: ID_RULE })
  .regex(ID_PATTERN, { error: ID_RULE });

export const EventIdSchema = IdSchema.describe('Idempotency key of the event within its run.');
export const RunIdSchema = IdSchema.describe('The run the event belongs to.');
export const ThreadIdSchema = IdSchema.describe('Groups runs: a conversation, a pipeline.');

/** Tenants come from API keys, never from request bodies; '#' is excluded because it separates key parts. */
export const TenantIdSchema = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, {
  error: 'tenant must be 1-64 characters of letters, digits, ".", "_" or "-"',
});

export function isValidId(value: string): boolean {
  return IdSchema.safeParse(value).success;
}
