import { shareKeysLambdaRoot } from '../runtime/share-keys-lambda-root.ts';
import { makeShareRunHandler } from './share-run.ts';

/** The Lambda entry CDK bundles: the root composed from the environment once, at cold start. */
export const handler = makeShareRunHandler(shareKeysLambdaRoot());
