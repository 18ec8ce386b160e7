import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { decodeLedgerCursor, encodeLedgerCursor } from '#shared/webhooks/ledger-cursor.ts';
import { REPLAY_STATUSES, type DeliveryFailure, type DeliveryLedger, type LedgerKey, type LedgerPage, type ReplayLedger, type ReplayRecord, type ReplayStatus } from '#shared/webhooks/ports.ts';
import { batchGetItems } from './batch-get.ts';
import { isConditionFailure } from './condition-failure.ts';
import { deadPk, deadSk, deliveredSk, failureSk, ledgerPk, parseLedgerSk, replaySk } from './keys.ts';
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

/** A replaced failure record that was dead: its dead-index item is to go. */
const WasDeadSchema = z.object({ status: z.literal('dead') });

/** DynamoDB's last evaluated key: its sort key is where the next page starts. */
const LastKeySchema = z.object({ pk: z.string(), sk: z.string() });

const ReplayItemSchema = z.object({
  subscriber: z.string(),
  kind: KindSchema,
  tenant: z.string(),
  runId: z.string(),
  replayId: z.string(),
  fromSeq: z.number(),
  toSeq: z.number(),
  nextSeq: z.number(),
  status: z.enum(REPLAY_STATUSES),
  step: z.number(),
  queuedAt: z.string(),
  updatedAt: z.string(),
});

/** Delivered-block writes of one recordDelivered call in flight at once. */
const BLOCK_WRITES_IN_FLIGHT = 32;

/**
 * The delivery ledger in the events table, beside nothing of the run's own items (`W#` keys):
 * delivered seqs as number sets in blocks of DELIVERED_BLOCK_SIZE (ADD to a set is idempotent and
 * needs no read, so a repeat delivery changes nothing and one write records a whole batch), and
 * one item per failed, dead or pending delivery, one per replay (moved on once a slice, on a
 * condition so a stale copy of a replay job cannot move it back). Items expire with the run (retention).
 */
export class DynamoDbDeliveryLedger implements DeliveryLedger, ReplayLedger {
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
    // ALL_OLD costs nothing more, and tells whether the record it replaces was dead: only then is
    // there a dead-index item to delete (a replay's pending records would otherwise cost two writes each).
    const { Attributes: replaced } = await this.#client.send(new PutCommand({ TableName: this.#tableName, Item: item, ReturnValues: 'ALL_OLD' }));
    const dead = { pk: deadPk(failure.tenant, failure.subscriber), sk: deadSk(failure.runId, failure.seq) };
    if (failure.status === 'dead') await this.#client.send(new PutCommand({ TableName: this.#tableName, Item: { ...item, ...dead } }));
    else if (WasDeadSchema.safeParse(replaced).success) await this.#client.send(new DeleteCommand({ TableName: this.#tableName, Key: dead }));
  }

  async readRun(tenant: string, runId: string, options: { cursor?: string | undefined; limit: number }): Promise<LedgerPage> {
    const pk = ledgerPk(tenant, runId);
    const start = options.cursor === undefined ? undefined : { pk, sk: decodeLedgerCursor(options.cursor, pk) };
    const page = await this.#client.send(
      new QueryCommand({
        TableName: this.#tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        Limit: options.limit,
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    const delivered: Array<LedgerKey & { seqs: number[] }> = [];
    const failures: DeliveryFailure[] = [];
    const replays: ReplayRecord[] = [];
    for (const item of page.Items ?? []) {
      const sk = z.object({ sk: z.string() }).parse(item).sk;
      const parsedKey = parseLedgerSk(sk);
      if (parsedKey === undefined) continue;
      if (parsedKey.item === 'delivered') {
        const block = DeliveredItemSchema.parse(item);
        delivered.push({ tenant, runId, subscriber: parsedKey.subscriber, kind: block.kind, seqs: [...block.seqs] });
      } else if (parsedKey.item === 'replay') {
        replays.push(ReplayItemSchema.parse(item));
      } else {
        failures.push(FailureItemSchema.parse(item));
      }
    }
    const last = LastKeySchema.safeParse(page.LastEvaluatedKey);
    const superseded = await this.#deliveredAmong(pk, delivered, failures);
    return {
      delivered,
      failures: failures.filter((failure) => !superseded.has(`${failure.subscriber}\n${failure.seq}`)),
      replays,
      next: last.success ? encodeLedgerCursor(pk, last.data.sk) : undefined,
    };
  }

  /**
   * Which of a page's failures (as `subscriber\nseq`) were delivered since. Delivered blocks sort
   * before every failure, so on a long ledger a failure's block is often on an earlier page: those
   * blocks are read by key (one BatchGet, and none when the page holds them all).
   */
  async #deliveredAmong(pk: string, onPage: ReadonlyArray<LedgerKey & { seqs: readonly number[] }>, failures: readonly DeliveryFailure[]): Promise<Set<string>> {
    const delivered = new Set(onPage.flatMap((block) => block.seqs.map((seq) => `${block.subscriber}\n${seq}`)));
    const blocksOnPage = new Set(onPage.flatMap((block) => block.seqs.map((seq) => deliveredSk(block.subscriber, seq))));
    const missing = [...new Set(failures.map((failure) => deliveredSk(failure.subscriber, failure.seq)).filter((sk) => !blocksOnPage.has(sk)))];
    for (const item of await batchGetItems(this.#client, this.#tableName, missing.map((sk) => ({ pk, sk })))) {
      const block = DeliveredItemSchema.parse(item);
      const subscriber = parseLedgerSk(block.sk)?.subscriber;
      if (subscriber !== undefined) for (const seq of block.seqs) delivered.add(`${subscriber}\n${seq}`);
    }
    return delivered;
  }

  async startReplay(record: ReplayRecord): Promise<void> {
    const item = { pk: ledgerPk(record.tenant, record.runId), sk: replaySk(record.subscriber, record.replayId), ...record, expiresAt: expiresAt(new Date(record.queuedAt), this.#retentionDays) };
    await this.#client.send(new PutCommand({ TableName: this.#tableName, Item: item }));
  }

  async getReplay(key: LedgerKey, replayId: string): Promise<ReplayRecord | undefined> {
    const answer = await this.#client.send(new GetCommand({ TableName: this.#tableName, Key: { pk: ledgerPk(key.tenant, key.runId), sk: replaySk(key.subscriber, replayId) }, ConsistentRead: true }));
    return answer.Item === undefined ? undefined : ReplayItemSchema.parse(answer.Item);
  }

  async advanceReplay(key: LedgerKey, replayId: string, progress: { fromStep: number; nextSeq: number; status: ReplayStatus; at: Date }): Promise<boolean> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { pk: ledgerPk(key.tenant, key.runId), sk: replaySk(key.subscriber, replayId) },
          UpdateExpression: 'SET nextSeq = :nextSeq, #status = :status, step = :step, updatedAt = :at',
          // A later slice got here first (a stale copy of this job ran): keep its progress.
          ConditionExpression: 'attribute_exists(pk) AND step <= :fromStep',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':nextSeq': progress.nextSeq, ':status': progress.status, ':step': progress.fromStep + 1, ':fromStep': progress.fromStep, ':at': progress.at.toISOString() },
        }),
      );
      return true;
    } catch (error: unknown) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
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
