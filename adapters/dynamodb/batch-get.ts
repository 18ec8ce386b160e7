import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { retryDelayMs, sleep } from './retry.ts';

/** BatchGetItem takes at most this many keys a call. */
const MAX_KEYS_PER_CALL = 100;

/**
 * Every item found under these keys, strongly consistent, in no particular order; keys with no
 * item are left out. Splits the keys into calls of 100 and asks again, with jittered backoff, for
 * the keys DynamoDB leaves unprocessed (it does under throttling or past 16 MB a call).
 */
export async function batchGetItems(client: DynamoDBDocumentClient, tableName: string, keys: ReadonlyArray<Record<string, string>>): Promise<unknown[]> {
  const items: unknown[] = [];
  for (let start = 0; start < keys.length; start += MAX_KEYS_PER_CALL) {
    let pending: ReadonlyArray<Record<string, unknown>> = keys.slice(start, start + MAX_KEYS_PER_CALL);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) await sleep(retryDelayMs(attempt));
      const result = await client.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: [...pending], ConsistentRead: true } } }));
      items.push(...(result.Responses?.[tableName] ?? []));
      pending = result.UnprocessedKeys?.[tableName]?.Keys ?? [];
    }
  }
  return items;
}
