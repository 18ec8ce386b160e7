/**
 * The AWS side of `npm run keys -- ... --stack NAME`: where a deployed stack keeps its keys, and
 * the flush that makes `revoke` take effect within seconds instead of API Gateway's authorizer
 * cache time. The caller's credentials need `cloudformation:DescribeStacks` on the stack and, to
 * revoke, `apigateway:DELETE` on `arn:aws:apigateway:REGION::/restapis/API_ID/stages/STAGE/cache/authorizers`.
 */
import { APIGatewayClient, FlushStageAuthorizersCacheCommand } from '@aws-sdk/client-api-gateway';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { z } from 'zod';
import { readOutputs } from './stack-outputs.ts';

/** The stack's outputs the command reads (infra/runledger-stack.ts). */
export const KeyStackOutputsSchema = z.object({ TableName: z.string(), RestApiId: z.string(), StageName: z.string() });
export type KeyStack = z.infer<typeof KeyStackOutputsSchema>;

export function readKeyStack(cloudFormation: CloudFormationClient, stackName: string): Promise<KeyStack> {
  return readOutputs(cloudFormation, stackName, KeyStackOutputsSchema);
}

/** Empties the stage's authorizer cache, so the next request with any key asks the authorizer again. */
export async function flushAuthorizerCache(apiGateway: APIGatewayClient, stack: KeyStack): Promise<void> {
  await apiGateway.send(new FlushStageAuthorizersCacheCommand({ restApiId: stack.RestApiId, stageName: stack.StageName }));
}

/** The AWS clients of the `--stack` path, made once per command. */
export function keyStackClients(region: string): { cloudFormation: CloudFormationClient; apiGateway: APIGatewayClient } {
  return { cloudFormation: new CloudFormationClient({ region }), apiGateway: new APIGatewayClient({ region }) };
}
