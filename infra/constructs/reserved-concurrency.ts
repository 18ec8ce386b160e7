import { CfnFunction, type Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';

/**
 * Reserves `count` of the account's concurrency for a function, which also caps it there. Set on
 * the CloudFormation resource because HandlerFunction builds its NodejsFunction with fixed props;
 * reserving is the deployment's choice (infra/config.ts), not the handler's.
 */
export function reserveConcurrency(fn: LambdaFunction, count: number): void {
  const resource = fn.node.defaultChild;
  if (!(resource instanceof CfnFunction)) throw new Error(`${fn.node.path} has no CloudFormation function to reserve concurrency on`);
  resource.reservedConcurrentExecutions = count;
}
