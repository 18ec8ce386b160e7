import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent, Statement } from 'aws-lambda';
import { bearerToken, makeAuthenticate } from '#shared/auth/api-keys.ts';
import { scopeAllows } from '#shared/auth/scopes.ts';
import type { ApiKeyGrant, ApiKeyStore } from '#shared/ports.ts';
import { resourcePathOf, ROUTES, scopeOf } from '../routes.ts';
import type { Root } from '../runtime/compose.ts';
import { apiKeyStoreOf } from '../runtime/parts/stores.ts';

/**
 * API Gateway TOKEN authorizer: `Authorization: Bearer <key>` (the scheme in any case) -> the
 * key's tenant, scope and expiry, handed to the handlers as `requestContext.authorizer`. The
 * policy covers the whole API so API Gateway can cache one answer per key; a `read` key's policy
 * denies the routes that need `write`, which API Gateway answers 403 `forbidden`. Throwing
 * "Unauthorized" is how API Gateway is told 401.
 */
export function makeAuthorizeHandler(root: Root, keys: ApiKeyStore = apiKeyStoreOf(root)) {
  const { logger, clock } = root;
  const authenticate = makeAuthenticate({ keys, ttlMs: root.config.RUNLEDGER_KEY_CACHE_SECONDS * 1000, now: () => clock.now().getTime() });
  return async function authorize(event: APIGatewayTokenAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
    const key = bearerToken(event.authorizationToken);
    const authentication = key === undefined ? { refused: 'missing or malformed header' } : await authenticate(key);
    if ('refused' in authentication) {
      logger.info('rejected an API key', { reason: authentication.refused });
      throw new Error('Unauthorized');
    }
    const { grant } = authentication;
    const [arnPrefix = '*', stage = '*'] = event.methodArn.split('/');
    return {
      principalId: grant.tenant,
      policyDocument: { Version: '2012-10-17', Statement: policyOf(grant, `${arnPrefix}/${stage}`) },
      context: {
        tenantId: grant.tenant,
        scope: grant.scope,
        // Handlers refuse the key once this passes, however long API Gateway caches this answer.
        ...(grant.expiresAt === undefined ? {} : { expiresAt: grant.expiresAt.toISOString() }),
      },
    };
  };
}

/** Allow the stage; deny, by name, each route the key's scope does not cover (an explicit Deny wins). */
function policyOf(grant: ApiKeyGrant, stageArn: string): Statement[] {
  const denied = ROUTES.filter((route) => route.auth && !scopeAllows(grant.scope, scopeOf(route))).map((route) => `${stageArn}/${resourcePathOf(route)}`);
  const allow: Statement = { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: `${stageArn}/*` };
  const deny: Statement = { Action: 'execute-api:Invoke', Effect: 'Deny', Resource: denied };
  return denied.length === 0 ? [allow] : [allow, deny];
}
