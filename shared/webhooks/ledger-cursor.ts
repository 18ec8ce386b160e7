import * as z from 'zod/mini';
import { InvalidRequestError } from '../errors.ts';

/**
 * The opaque `cursor` of `GET /v1/runs/{runId}/deliveries`: the run's ledger scope and the last
 * key read. Every ledger adapter writes and reads it here, so they refuse the same cursors: one
 * that is not base64url JSON of this shape, and one of another run or tenant (another scope).
 */
const CursorSchema = z.object({ pk: z.string(), sk: z.string() });

export function encodeLedgerCursor(scope: string, after: string): string {
  return Buffer.from(JSON.stringify({ pk: scope, sk: after })).toString('base64url');
}

/** The key to continue after; a 400 on `cursor` for a forged cursor or another scope's. */
export function decodeLedgerCursor(cursor: string, scope: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const key = CursorSchema.safeParse(parsed);
  if (!key.success || key.data.pk !== scope) {
    throw new InvalidRequestError('invalid_parameter', "cursor is not a nextCursor of this run's deliveries", [{ path: 'cursor', message: "is not a nextCursor of this run's deliveries" }]);
  }
  return key.data.sk;
}
