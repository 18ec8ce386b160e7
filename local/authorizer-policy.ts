import type { Statement } from 'aws-lambda';

/**
 * What API Gateway decides from a TOKEN authorizer's policy for one method ARN, as IAM evaluates
 * it: an explicit Deny that matches wins, else an Allow that matches lets the call through, else
 * it is denied. `*` matches any run of characters (`/` included), `?` one. Written here because
 * no library evaluates execute-api policies outside AWS; NotResource and conditions are not
 * used by runledger's authorizer, so a statement with them matches nothing.
 */
export function policyAllows(statements: readonly Statement[], methodArn: string): boolean {
  const matching = statements.filter((statement) => 'Resource' in statement && resources(statement.Resource).some((resource) => arnMatches(resource, methodArn)));
  if (matching.some((statement) => statement.Effect.toLowerCase() === 'deny')) return false;
  return matching.some((statement) => statement.Effect.toLowerCase() === 'allow');
}

function resources(resource: string | string[] | undefined): string[] {
  return resource === undefined ? [] : typeof resource === 'string' ? [resource] : resource;
}

function arnMatches(pattern: string, arn: string): boolean {
  const source = pattern
    .split('')
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`).test(arn);
}
