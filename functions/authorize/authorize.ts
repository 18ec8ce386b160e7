import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { bearerToken, makeAuthenticate } from '#shared/auth/api-keys.ts';
import type { Root } from '../runtime/compose.ts';
import { apiKeyStoreOf } from '../runtime/parts/stores.ts';

/**
 * API Gateway TOKEN authorizer: `Authorization: Bearer <key>` -> the key's tenant, handed to the
 * handlers as `requestContext.authorizer.tenantId`. The policy covers the whole API so API
 * Gateway can cache one answer per key. Throwing "Unauthorized" is how API Gateway is told 401.
 */
export function makeAuthorizeHandler(root: Root) {
  const { logger } = root;
  const authenticate = makeAuthenticate({ keys: apiKeyStoreOf(root) });
  return async function authorize(event: APIGatewayTokenAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
    const key = bearerToken(event.authorizationToken);
    const tenant = key === undefined ? undefined : await authenticate(key);
    if (tenant === undefined) {
      logger.info('rejected an API key', { reason: key === undefined ? 'missing or malformed header' : 'unknown key' });
      throw new Error('Unauthorized');
    }
    const [arnPrefix, stage] = event.methodArn.split('/');
    return {
      principalId: tenant,
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: `${arnPrefix ?? '*'}/${stage ?? '*'}/*` }],
      },
      context: { tenantId: tenant },
    };
  };
}
