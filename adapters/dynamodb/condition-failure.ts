/** A write refused because its ConditionExpression did not hold (the SDK's ConditionalCheckFailedException). */
export function isConditionFailure(error: unknown): error is Error {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}
