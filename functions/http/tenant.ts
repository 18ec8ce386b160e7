import type { APIGatewayProxyEvent } from 'aws-lambda';
import * as z from 'zod/mini';
import { TenantIdSchema } from '#shared/contract/ids.ts';
import { UnauthenticatedError } from '#shared/errors.ts';

const AuthorizerContextSchema = z.object({ tenantId: TenantIdSchema });

/**
 * The tenant the API key authorizer resolved (API Gateway in AWS, the local gateway locally).
 * Every handler reads it from here and nowhere else, so every key it builds is tenant-scoped.
 */
export function tenantOf(event: APIGatewayProxyEvent): string {
  const parsed = AuthorizerContextSchema.safeParse(event.requestContext.authorizer);
  if (!parsed.success) throw new UnauthenticatedError('this route needs "Authorization: Bearer <api key>"');
  return parsed.data.tenantId;
}
