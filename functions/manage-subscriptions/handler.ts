import { dynamoDbLambdaRoot } from '../runtime/dynamodb-lambda-root.ts';
import { makeManageSubscriptionsHandler } from './manage-subscriptions.ts';

/** The Lambda entry CDK bundles: the root composed from the environment once, at cold start. */
export const handler = makeManageSubscriptionsHandler(dynamoDbLambdaRoot());
