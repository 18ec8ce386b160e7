import { dynamoDbLambdaRoot } from '../runtime/dynamodb-lambda-root.ts';
import { makeWriteLedgerHandler } from './write-ledger.ts';

/** The ledger writer CDK bundles (infra/constructs/ledger-queue.ts): the ledger queue in, `W#` block writes out. */
export const handler = makeWriteLedgerHandler(dynamoDbLambdaRoot());
