import * as z from 'zod/mini';
import { MAX_ID_LENGTH } from './limits.ts';

// zod/mini (here and across every module an API function bundles): the same zod 4 core, schemas
// and messages as the classic API, but built from functions esbuild can tree-shake, so a bundle
// carries a few dozen KiB of zod instead of classic's 443 KiB (issue 13 item 9, docs/benchmark.md).

const ID_PATTERN = /^[A-Za-z0-9._:-]+$/;
const ID_RULE = `must be 1-${MAX_ID_LENGTH} characters of letters, digits, '.', '_', ':' or '-'`;

/** The charset shared by eventId, runId and threadId: safe inside DynamoDB keys and URLs. */
export const IdSchema = z
  .string({ error: (issue) => (issue.input === undefined ? 'is required' : `must be a string; ${ID_RULE}`) })
  .check(z.minLength(1, { error: ID_RULE }), z.maxLength(MAX_ID_LENGTH, { error: ID_RULE }), z.regex(ID_PATTERN, { error: ID_RULE }));

export const EventIdSchema = IdSchema.check(z.describe('Idempotency key of the event within its run.'));
export const RunIdSchema = IdSchema.check(z.describe('The run the event belongs to.'));
export const ThreadIdSchema = IdSchema.check(z.describe('Groups runs: a conversation, a pipeline.'));

/** Tenants come from API keys, never from request bodies; '#' is excluded because it separates key parts. */
export const TenantIdSchema = z.string().check(
  z.regex(/^[A-Za-z0-9._-]{1,64}$/, {
    error: 'tenant must be 1-64 characters of letters, digits, ".", "_" or "-"',
  }),
);

export function isValidId(value: string): boolean {
  return IdSchema.safeParse(value).success;
}
