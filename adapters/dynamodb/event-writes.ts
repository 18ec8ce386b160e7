import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { BatchExecuteStatementCommand, BatchWriteCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { retryDelayMs, sleep } from './retry.ts';

/** DynamoDB takes at most 25 statements per BatchExecuteStatement. */
const STATEMENTS_PER_CALL = 25;
/** Calls in flight at once for one append: enough to overlap round trips, few enough to stay polite. */
const CALLS_IN_FLIGHT = 4;

/**
 * Writes items each only if its key is free, without a transaction: PartiQL `INSERT` fails on an
 * existing key, so an item is its own guard, at the price of a plain put (a conditional PutItem
 * per item would cost the same units but one round trip each; BatchWriteItem takes no
 * conditions; TransactWriteItems bills twice). Returns, per item, whether it was written (false:
 * the key was taken). Throttled statements are retried; anything else is thrown.
 */
export async function insertItems(client: DynamoDBDocumentClient, tableName: string, items: ReadonlyArray<Record<string, unknown>>): Promise<boolean[]> {
  const written = items.map(() => false);
  const chunks: number[][] = [];
  for (let start = 0; start < items.length; start += STATEMENTS_PER_CALL) chunks.push(items.slice(start, start + STATEMENTS_PER_CALL).map((_, offset) => start + offset));
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let chunk = chunks[next++]; chunk !== undefined; chunk = chunks[next++]) await insertChunk(client, tableName, items, chunk, written);
  };
  await Promise.all(Array.from({ length: Math.min(CALLS_IN_FLIGHT, chunks.length) }, worker));
  return written;
}

async function insertChunk(client: DynamoDBDocumentClient, tableName: string, items: ReadonlyArray<Record<string, unknown>>, positions: readonly number[], written: boolean[]): Promise<void> {
  let pending = [...positions];
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt > 0) await sleep(retryDelayMs(attempt));
    const result = await client.send(
      new BatchExecuteStatementCommand({ Statements: pending.map((position) => insertStatement(tableName, items[position] ?? {})) }),
    );
    const retry: number[] = [];
    pending.forEach((position, index) => {
      const error = result.Responses?.[index]?.Error;
      if (error === undefined) written[position] = true;
      else if (error.Code === 'DuplicateItem' || error.Code === 'ConditionalCheckFailed') written[position] = false;
      else if (isRetryable(error.Code)) retry.push(position);
      else throw new Error(`BatchExecuteStatement INSERT failed: ${error.Code ?? 'unknown'}: ${error.Message ?? ''}`);
    });
    pending = retry;
  }
}

const RETRYABLE = new Set(['ThrottlingError', 'ProvisionedThroughputExceeded', 'RequestLimitExceeded', 'InternalServerError', 'TransactionConflict']);

function isRetryable(code: string | undefined): boolean {
  return code !== undefined && RETRYABLE.has(code);
}

function insertStatement(tableName: string, item: Record<string, unknown>) {
  const names = Object.keys(item).filter((name) => item[name] !== undefined);
  return {
    Statement: `INSERT INTO "${tableName}" VALUE {${names.map((name) => `'${name}': ?`).join(', ')}}`,
    Parameters: names.map((name) => item[name]),
  };
}

/** DynamoDB takes at most 25 puts per BatchWriteItem. */
const PUTS_PER_BATCH_WRITE = 25;

/**
 * Writes items with no condition (BatchWriteItem, calls of 25 one after another), asking again,
 * with jittered backoff, for what DynamoDB leaves unprocessed. For items whose key is already
 * this writer's (a producer seq claimed in the run summary): no condition is needed there.
 */
export async function putItems(client: DynamoDBDocumentClient, tableName: string, items: ReadonlyArray<Record<string, unknown>>): Promise<void> {
  for (let start = 0; start < items.length; start += PUTS_PER_BATCH_WRITE) {
    let requests = items.slice(start, start + PUTS_PER_BATCH_WRITE).map((item) => ({ PutRequest: { Item: item } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt > 0) await sleep(retryDelayMs(attempt));
      const result = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
      const unprocessed = result.UnprocessedItems?.[tableName] ?? [];
      requests = requests.filter((request) => unprocessed.some((left) => left.PutRequest?.Item?.['sk'] === request.PutRequest.Item['sk']));
    }
  }
}

/** DynamoDB takes at most 100 actions per transaction. */
const ACTIONS_PER_TRANSACTION = 100;

/**
 * The same writes as insertItems, as conditional puts in transactions of up to 100 (all or nothing
 * per transaction; a refused item leaves its whole transaction unwritten). Twice the write units,
 * so only for DynamoDB Local on disk: there each PartiQL statement commits on its own (measured:
 * 25 INSERTs ~1.1 s against ~0.2 s for one 25-item transaction), while a transaction commits once.
 */
export async function insertItemsTransactionally(client: DynamoDBDocumentClient, tableName: string, items: ReadonlyArray<Record<string, unknown>>): Promise<boolean[]> {
  const written = items.map(() => false);
  const chunks: number[][] = [];
  for (let start = 0; start < items.length; start += ACTIONS_PER_TRANSACTION) chunks.push(items.slice(start, start + ACTIONS_PER_TRANSACTION).map((_, offset) => start + offset));
  await Promise.all(
    chunks.map(async (positions) => {
      try {
        await client.send(
          new TransactWriteCommand({ TransactItems: positions.map((position) => ({ Put: { TableName: tableName, Item: items[position] ?? {}, ConditionExpression: 'attribute_not_exists(pk)' } })) }),
        );
        for (const position of positions) written[position] = true;
      } catch (error: unknown) {
        if (!(error instanceof TransactionCanceledException)) throw error;
      }
    }),
  );
  return written;
}
