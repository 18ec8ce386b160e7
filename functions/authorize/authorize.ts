import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent, APIGatewayTokenAuthorizerEvent, Statement } from 'aws-lambda';
import { bearerToken, makeAuthenticate, type Authentication } from '#shared/auth/api-keys.ts';
import { scopeAllows } from '#shared/auth/scopes.ts';
import { isShareToken, verifyShareToken, type ShareGrant } from '#shared/auth/share-tokens.ts';
import type { ApiKeyGrant, ApiKeyStore } from '#shared/ports.ts';
import { isShared, resourcePathOf, ROUTES, scopeOf } from '../routes.ts';
import type { Root } from '../runtime/compose.ts';
import { shareKeysOf } from '../runtime/parts/share-keys.ts';
import { apiKeyStoreOf } from '../runtime/parts/stores.ts';

/** The two events API Gateway sends: TOKEN (the Authorization header) and REQUEST (the run-read routes, for `?token=`). */
export type AuthorizerEvent = APIGatewayTokenAuthorizerEvent | APIGatewayRequestAuthorizerEvent;

/**
 * API Gateway's authorizer: `Authorization: Bearer <key>` (the scheme in any case) -> the key's
 * tenant, scope and expiry, handed to the handlers as `requestContext.authorizer`. The policy
 * covers the whole API so API Gateway can cache one answer per key; a `read` key's policy denies
 * the routes that need `write`, which API Gateway answers 403 `forbidden`. Throwing
 * "Unauthorized" is how API Gateway is told 401.
 *
 * A share token (shared/auth/share-tokens.ts) is taken the same way, or as `?token=` on the routes a
 * share may read (REQUEST events: a browser EventSource cannot set headers). Its policy allows
 * only GET on its one run; its context names the run, and handlers check it again (functions/http/tenant.ts).
 * API keys are never taken from the query string: a URL ends up in logs and browser history.
 */
export function makeAuthorizeHandler(root: Root, keys: ApiKeyStore = apiKeyStoreOf(root)) {
  const { logger, clock } = root;
  const authenticate = makeAuthenticate({ keys, ttlMs: root.config.RUNLEDGER_KEY_CACHE_SECONDS * 1000, now: () => clock.now().getTime() });
  const shareKeys = shareKeysOf(root);
  const authenticateShare = async (token: string): Promise<{ share: ShareGrant } | { refused: string }> => {
    if (shareKeys === undefined) return { refused: 'share links are not configured' };
    const verified = verifyShareToken(token, await shareKeys(), clock.now());
    return 'refused' in verified ? verified : { share: verified.grant };
  };
  return async function authorize(event: AuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
    const token = tokenOf(event);
    const authentication: Authentication | { share: ShareGrant } | { refused: string } =
      token === undefined ? { refused: 'missing or malformed header' } : isShareToken(token) ? await authenticateShare(token) : await authenticate(token);
    if ('refused' in authentication) {
      logger.info('rejected a credential', { reason: authentication.refused });
      throw new Error('Unauthorized');
    }
    const [arnPrefix = '*', stage = '*'] = event.methodArn.split('/');
    const stageArn = `${arnPrefix}/${stage}`;
    if ('share' in authentication) {
      const { share } = authentication;
      return {
        principalId: `${share.tenant}/share/${share.runId}`,
        policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: sharedResources(stageArn, share.runId) }] },
        context: { tenantId: share.tenant, scope: 'read', shareRunId: share.runId, expiresAt: share.expiresAt.toISOString() },
      };
    }
    const { grant } = authentication;
    return {
      principalId: grant.tenant,
      policyDocument: { Version: '2012-10-17', Statement: policyOf(grant, stageArn) },
      context: {
        tenantId: grant.tenant,
        scope: grant.scope,
        // Handlers refuse the key once this passes, however long API Gateway caches this answer.
        ...(grant.expiresAt === undefined ? {} : { expiresAt: grant.expiresAt.toISOString() }),
      },
    };
  };
}

/** The bearer token of either event; for REQUEST events also a share token in `?token=` (never an API key there). */
function tokenOf(event: AuthorizerEvent): string | undefined {
  if (event.type === 'TOKEN') return bearerToken(event.authorizationToken);
  const header = Object.entries(event.headers ?? {}).find(([name]) => name.toLowerCase() === 'authorization')?.[1];
  if (header !== undefined) return bearerToken(header);
  const query = event.queryStringParameters?.token;
  return query !== undefined && isShareToken(query) ? query : undefined;
}

/** Allow the stage; deny, by name, each route the key's scope does not cover (an explicit Deny wins). */
function policyOf(grant: ApiKeyGrant, stageArn: string): Statement[] {
  const denied = ROUTES.filter((route) => route.auth && !scopeAllows(grant.scope, scopeOf(route))).map((route) => `${stageArn}/${resourcePathOf(route)}`);
  const allow: Statement = { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: `${stageArn}/*` };
  const deny: Statement = { Action: 'execute-api:Invoke', Effect: 'Deny', Resource: denied };
  return denied.length === 0 ? [allow] : [allow, deny];
}

/** The shared routes of one run as execute-api resources: `GET/v1/runs/r-1/tasks/*`. Run ids hold no `*` or `?` (IdSchema). */
function sharedResources(stageArn: string, runId: string): string[] {
  return ROUTES.filter(isShared).map((route) => `${stageArn}/${resourcePathOf({ ...route, path: route.path.replace('{runId}', runId) })}`);
}
