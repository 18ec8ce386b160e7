import type { APIGatewayProxyEvent } from 'aws-lambda';
import * as z from 'zod/mini';
import { TenantIdSchema } from '#shared/contract/ids.ts';
import { DEFAULT_KEY_SCOPE, KEY_SCOPES, scopeAllows } from '#shared/auth/scopes.ts';
import { ForbiddenError, UnauthenticatedError } from '#shared/errors.ts';
import type { KeyScope } from '#shared/ports.ts';

/** What the authorizer hands on (functions/authorize); a context without a scope came from a key that predates scopes. */
const AuthorizerContextSchema = z.object({
  tenantId: TenantIdSchema,
  scope: z._default(z.enum(KEY_SCOPES), DEFAULT_KEY_SCOPE),
  expiresAt: z.optional(z.iso.datetime()),
  /** Set for a share token: the one run it may read. */
  shareRunId: z.optional(z.string()),
});

/**
 * The tenant the API key authorizer resolved (API Gateway in AWS, the local gateway locally).
 * Every handler reads it from here and nowhere else, so every key it builds is tenant-scoped.
 * Scope and expiry are judged here too: API Gateway may answer from its authorizer cache for
 * minutes after a key expires, and the policy's Deny is the only other guard on scope. `now`
 * defaults to the wall clock (an expiry is a real instant) so read handlers need not pass one.
 */
export function tenantOf(event: APIGatewayProxyEvent, needs: KeyScope = 'read', now: Date = new Date()): string {
  const parsed = AuthorizerContextSchema.safeParse(event.requestContext.authorizer);
  if (!parsed.success) throw new UnauthenticatedError('this route needs "Authorization: Bearer <api key>"');
  const { tenantId, scope, expiresAt, shareRunId } = parsed.data;
  if (shareRunId !== undefined) {
    if (Date.parse(expiresAt ?? '') <= now.getTime()) throw new UnauthenticatedError(`this share link expired at ${expiresAt}; ask for a new one`);
    // The authorizer's policy already allows only this run's GET routes; this holds if a policy is ever wrong.
    if (needs !== 'read' || event.httpMethod !== 'GET' || event.pathParameters?.runId !== shareRunId) throw new ForbiddenError(`this share link reads run '${shareRunId}' only`);
    return tenantId;
  }
  if (expiresAt !== undefined && Date.parse(expiresAt) <= now.getTime()) throw new UnauthenticatedError(`this API key expired at ${expiresAt}; create a new one`);
  if (!scopeAllows(scope, needs)) throw new ForbiddenError(`this API key's scope is "${scope}"; this route needs a "${needs}" key`);
  return tenantId;
}
