import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { InvalidRequestError } from '../errors.ts';

/**
 * The opaque `cursor` of `GET /v1/runs`: where the next page starts, for which tenant and which
 * filters. It carries a digest of the tenant (not its name), so a cursor used with another
 * tenant's key, or with other filters, is refused rather than read.
 */
export type RunsCursor = { readonly before: string; readonly status?: string; readonly threadId?: string };

const CursorSchema = z.object({ v: z.literal(1), t: z.string(), b: z.string().check(z.minLength(1)), s: z.optional(z.string()), th: z.optional(z.string()) });

function tenantDigest(tenant: string): string {
  return createHash('sha256').update(`runledger-cursor:${tenant}`).digest('base64url').slice(0, 16);
}

export function encodeRunsCursor(tenant: string, cursor: RunsCursor): string {
  const body = { v: 1, t: tenantDigest(tenant), b: cursor.before, ...(cursor.status === undefined ? {} : { s: cursor.status }), ...(cursor.threadId === undefined ? {} : { th: cursor.threadId }) };
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}

/** The position to continue from; 400 for a cursor that is malformed, another tenant's, or another query's. */
export function decodeRunsCursor(tenant: string, value: string, filters: { status?: string; threadId?: string }): string {
  const parsed = CursorSchema.safeParse(parseJson(Buffer.from(value, 'base64url').toString('utf8')));
  if (!parsed.success) throw badCursor('is not a cursor this API returned');
  if (parsed.data.t !== tenantDigest(tenant)) throw badCursor('belongs to another API key’s tenant');
  if (parsed.data.s !== filters.status || parsed.data.th !== filters.threadId) throw badCursor('was returned for other status/threadId filters; repeat the same filters with it');
  return parsed.data.b;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function badCursor(message: string): InvalidRequestError {
  return new InvalidRequestError('invalid_parameter', `bad query parameter: cursor ${message}`, [{ path: 'cursor', message }]);
}
