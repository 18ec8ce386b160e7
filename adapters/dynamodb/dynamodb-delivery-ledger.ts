import { DeleteCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { InvalidRequestError } from '#shared/errors.ts';
import type { DeliveryFailure, DeliveryLedger, LedgerKey, LedgerPage } from '#shared/webhooks/ports.ts';
import { deadPk, deadSk, deliveredSk, failureSk, ledgerPk, parseLedgerSk } from './keys.ts';
import { expiresAt } from './ttl.ts';

const KindSchema = z.enum(['webhook', 'observer']);
const DeliveredItemSchema = z.object({ sk: z.string(), kind: KindSchema, seqs: z.set(z.number()) });
const FailureItemSchema = z.object({
  subscriber: z.string(),
  kind: KindSchema,
  tenant: z.string(),
  runId: z.string(),
  seq: z.number(),
  status: z.enum(['pending', 'failed', 'dead']),
  attempts: z.number(),
  lastAttemptAt: z.optional(z.string()),
  lastError: z.optional(z.string()),
  webhookId: z.optional(z.string()),
});

/** Delivered-block writes of one recordDelivered call in flight at once. */
const BLOCK_WRITES_IN_FLIGHT = 32;

/** A ledger cursor: DynamoDB's last evaluated key, opaque to callers. */
const CursorSchema = z.object({ pk: z.string(), sk: z.string() });

/**
 * The delivery ledger in the events table, beside nothing of the run's own items (`W#` keys):
 * delivered seqs as number sets in blocks of DELIVERED_BLOCK_SIZE (ADD to a set is idempotent and
 * needs no read, so a repeat delivery changes nothing and one write records a whole batch), and
 * one item per failed, dead or pending delivery. Items expire with the run (retention).
 */
export class DynamoDbDeliveryLedger implements DeliveryLedger {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #retentionDays: number;

  constructor(options: { client: DynamoDBDocumentClient; tableName: string; retentionDays: number }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#retentionDays = options.retentionDays;
  }

  async recordDelivered(entries: ReadonlyArray<LedgerKey & { readonly seqs: readonly number[] }>, at: Date): Promise<void> {
    const blocks = new Map<string, { key: LedgerKey; sk: string; seqs: Set<number> }>();
    for (const entry of entries) {
      for (const seq of entry.seqs) {
        const sk = deliveredSk(entry.subscriber, seq);
        const id = `${ledgerPk(entry.tenant, entry.runId)}\n${sk}`;
        let block = blocks.get(id);
        if (block === undefined) {
          block = { key: entry, sk, seqs: new Set() };
          blocks.set(id, block);
        }
        block.seqs.add(seq);
      }
    }
    const pending = [...blocks.values()];
    // A bounded number in flight: the ledger writer's batch can name hundreds of blocks, more than the SDK's 50 sockets.
    const writeNext = async (): Promise<void> => {
      for (let block = pending.pop(); block !== undefined; block = pending.pop()) {
        const { key, sk, seqs } = block;
        await this.#client.send(
          new UpdateCommand({
            TableName: this.#tableName,
            Key: { pk: ledgerPk(key.tenant, key.runId), sk },
            UpdateExpression: 'ADD seqs :seqs SET kind = :kind, expiresAt = :expiresAt',
            ExpressionAttributeValues: { ':seqs': seqs, ':kind': key.kind, ':expiresAt': expiresAt(at, this.#retentionDays) },
          }),
        );
      }
    };
    await Promise.all(Array.from({ length: Math.min(BLOCK_WRITES_IN_FLIGHT, pending.length) }, writeNext));
  }

  async recordFailure(failure: DeliveryFailure): Promise<void> {
    const at = failure.lastAttemptAt === undefined ? new Date() : new Date(failure.lastAttemptAt);
    const item = { pk: ledgerPk(failure.tenant, failure.runId), sk: failureSk(failure.subscriber, failure.seq), ...failure, expiresAt: expiresAt(at, this.#retentionDays) };
    await this.#client.send(new PutCommand({ TableName: this.#tableName, Item: item }));
    const dead = { pk: deadPk(failure.tenant, failure.subscriber), sk: deadSk(failure.runId, failure.seq) };
    if (failure.status === 'dead') await this.#client.send(new PutCommand({ TableName: this.#tableName, Item: { ...item, ...dead } }));
    else await this.#client.send(new DeleteCommand({ TableName: this.#tableName, Key: dead }));
  }

  async readRun(tenant: string, runId: string, options: { cursor?: string | undefined; limit: number }): Promise<LedgerPage> {
    const start = options.cursor === undefined ? undefined : decodeCursor(options.cursor, ledgerPk(tenant, runId));
    const page = await this.#client.send(
      new QueryCommand({
        TableName: this.#tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': ledgerPk(tenant, runId) },
        Limit: options.limit,
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    const delivered: Array<LedgerKey & { seqs: number[] }> = [];
    const failures: DeliveryFailure[] = [];
    for (const item of page.Items ?? []) {
      const sk = z.object({ sk: z.string() }).parse(item).sk;
      const parsedKey = parseLedgerSk(sk);
      if (parsedKey === undefined) continue;
      if (parsedKey.item === 'delivered') {
        const block = DeliveredItemSchema.parse(item);
        delivered.push({ tenant, runId, subscriber: parsedKey.subscriber, kind: block.kind, seqs: [...block.seqs] });
      } else {
        failures.push(FailureItemSchema.parse(item));
      }
    }
    const last = CursorSchema.safeParse(page.LastEvaluatedKey);
    return { delivered, failures, next: last.success ? Buffer.from(JSON.stringify(last.data)).toString('base64url') : undefined };
  }

  async listDead(tenant: string, subscriber: string, runId?: string): Promise<DeliveryFailure[]> {
    const dead: DeliveryFailure[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.#client.send(
        new QueryCommand({
          TableName: this.#tableName,
          KeyConditionExpression: runId === undefined ? 'pk = :pk' : 'pk = :pk AND begins_with(sk, :run)',
          ExpressionAttributeValues: { ':pk': deadPk(tenant, subscriber), ...(runId === undefined ? {} : { ':run': `${runId}#` }) },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) dead.push(FailureItemSchema.parse(item));
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return dead;
  }
}

/** A cursor of this run's ledger, or a 400-worthy error for anything else (another run's, a forged one). */
function decodeCursor(cursor: string, pk: string): { pk: string; sk: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const key = CursorSchema.safeParse(parsed);
  if (!key.success || key.data.pk !== pk) {
    throw new InvalidRequestError('invalid_parameter', 'cursor is not a nextCursor of this run\'s deliveries', [{ path: 'cursor', message: 'is not a nextCursor of this run\'s deliveries' }]);
  }
  return key.data;
}

