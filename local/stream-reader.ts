import { existsSync, readFileSync } from 'node:fs';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
  type AttributeValue as StreamAttributeValue,
} from '@aws-sdk/client-dynamodb-streams';
import type { AttributeValue, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { z } from 'zod';
import { writeFileDurably } from './durable-file.ts';
import { endpointOverride, LOCAL_REGION } from '#adapters/aws/endpoint.ts';
import { makeDynamoDbClient } from '#adapters/dynamodb/client.ts';

export type StreamHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>;

const CheckpointsSchema = z.record(z.string(), z.string());

/** Lambda's event source mapping delivers at most this many records per invocation (our setting in infra/). */
const BATCH_SIZE = 100;

/**
 * Plays Lambda's DynamoDB event source mapping: reads the table's stream with the real
 * `@aws-sdk/client-dynamodb-streams`, hands the relay handler the same `DynamoDBStreamEvent` Lambda
 * would (binary values base64), retries from the first failed record it reports, and checkpoints
 * the last handled sequence number per shard in a file, so a restart resumes where it stopped:
 * events stored before a crash but not yet published are published after it.
 */
export class StreamReader {
  readonly #streams: DynamoDBStreamsClient;
  readonly #dynamo: DynamoDBClient;
  readonly #tableName: string;
  readonly #checkpointFile: string;
  readonly #handler: StreamHandler;
  readonly #log: (line: string) => void;
  readonly #pollMs: number;
  #checkpoints: Record<string, string>;
  #running = false;
  #loop: Promise<void> | undefined;
  #idle: Array<{ passes: number; resolve: () => void }> = [];

  constructor(options: { endpoint: string; tableName: string; checkpointFile: string; handler: StreamHandler; log?: (line: string) => void; pollMs?: number }) {
    this.#streams = new DynamoDBStreamsClient({ region: LOCAL_REGION, ...endpointOverride(options.endpoint) });
    this.#dynamo = makeDynamoDbClient({ endpoint: options.endpoint });
    this.#tableName = options.tableName;
    this.#checkpointFile = options.checkpointFile;
    this.#handler = options.handler;
    this.#log = options.log ?? (() => undefined);
    this.#pollMs = options.pollMs ?? 100;
    this.#checkpoints = existsSync(options.checkpointFile) ? CheckpointsSchema.parse(JSON.parse(readFileSync(options.checkpointFile, 'utf8'))) : {};
  }

  start(): void {
    this.#running = true;
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#loop;
    this.#streams.destroy();
    this.#dynamo.destroy();
  }

  /**
   * Resolves once every record written before the call has been handled: after two passes that
   * found nothing new (the first may have started before the call).
   */
  caughtUp(): Promise<void> {
    return new Promise((resolve) => this.#idle.push({ passes: 2, resolve }));
  }

  async #run(): Promise<void> {
    const table = await this.#dynamo.send(new DescribeTableCommand({ TableName: this.#tableName }));
    const streamArn = table.Table?.LatestStreamArn;
    if (streamArn === undefined) throw new Error(`table ${this.#tableName} has no stream`);
    const iterators = new Map<string, string | undefined>();
    while (this.#running) {
      try {
        const stream = await this.#streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
        for (const shard of stream.StreamDescription?.Shards ?? []) {
          const shardId = shard.ShardId;
          if (shardId === undefined || iterators.has(shardId)) continue;
          const after = this.#checkpoints[shardId];
          const start = await this.#streams.send(
            new GetShardIteratorCommand({
              StreamArn: streamArn,
              ShardId: shardId,
              ...(after === undefined ? { ShardIteratorType: 'TRIM_HORIZON' } : { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after }),
            }),
          );
          iterators.set(shardId, start.ShardIterator);
        }
        let readAny = false;
        for (const [shardId, iterator] of iterators) {
          if (iterator === undefined) continue;
          const page = await this.#streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
          const records = page.Records ?? [];
          if (records.length > 0) {
            readAny = true;
            const handledUpTo = await this.#handle(streamArn, records);
            if (handledUpTo !== undefined) this.#checkpoint(shardId, handledUpTo);
            if (handledUpTo !== records.at(-1)?.dynamodb?.SequenceNumber) {
              // A record failed: read again from just after the last handled one, as Lambda would retry.
              iterators.delete(shardId);
              continue;
            }
          }
          iterators.set(shardId, page.NextShardIterator);
        }
        if (!readAny) {
          for (const waiter of this.#idle) waiter.passes -= 1;
          for (const waiter of this.#idle.filter(({ passes }) => passes <= 0)) waiter.resolve();
          this.#idle = this.#idle.filter(({ passes }) => passes > 0);
          await new Promise((resolve) => setTimeout(resolve, this.#pollMs));
        }
      } catch (error: unknown) {
        this.#log(`stream reader: ${error instanceof Error ? error.message : String(error)}; retrying`);
        iterators.clear();
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  }

  /** Hands records to the handler in batches; returns the sequence number of the last record handled. */
  async #handle(streamArn: string, records: StreamRecord[]): Promise<string | undefined> {
    let handledUpTo: string | undefined;
    for (let start = 0; start < records.length; start += BATCH_SIZE) {
      const batch = records.slice(start, start + BATCH_SIZE).map((record) => toLambdaRecord(record, streamArn));
      let failures: DynamoDBBatchResponse['batchItemFailures'];
      try {
        failures = (await this.#handler({ Records: batch })).batchItemFailures;
      } catch (error: unknown) {
        this.#log(`relay failed on a batch: ${error instanceof Error ? error.message : String(error)}`);
        return handledUpTo;
      }
      const failed = new Set(failures.map((failure) => failure.itemIdentifier));
      for (const record of batch) {
        const sequenceNumber = record.dynamodb?.SequenceNumber;
        if (sequenceNumber === undefined) continue;
        if (failed.has(sequenceNumber)) return handledUpTo;
        handledUpTo = sequenceNumber;
      }
    }
    return handledUpTo;
  }

  #checkpoint(shardId: string, sequenceNumber: string): void {
    this.#checkpoints[shardId] = sequenceNumber;
    // Temp file, fsync, rename: a crash leaves the old checkpoint or the new, never a torn one. The
    // relay only reports a record handled once PutEvents answered, and the local bus answers only
    // once the entries are in its journal on disk, so the checkpoint never passes an unsaved record.
    writeFileDurably(this.#checkpointFile, JSON.stringify(this.#checkpoints));
  }
}

/** The record as Lambda delivers it: same fields, binary values as base64 strings. */
function toLambdaRecord(record: StreamRecord, streamArn: string): DynamoDBRecord {
  const image = record.dynamodb;
  return {
    eventID: record.eventID ?? '',
    eventName: record.eventName ?? 'INSERT',
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: LOCAL_REGION,
    eventSourceARN: streamArn,
    dynamodb: {
      ...(image?.Keys === undefined ? {} : { Keys: toLambdaImage(image.Keys) }),
      ...(image?.NewImage === undefined ? {} : { NewImage: toLambdaImage(image.NewImage) }),
      ...(image?.OldImage === undefined ? {} : { OldImage: toLambdaImage(image.OldImage) }),
      SequenceNumber: image?.SequenceNumber ?? '',
      SizeBytes: image?.SizeBytes ?? 0,
      StreamViewType: image?.StreamViewType ?? 'NEW_IMAGE',
    },
  };
}

function toLambdaImage(image: Record<string, StreamAttributeValue>): Record<string, AttributeValue> {
  return Object.fromEntries(Object.entries(image).map(([name, value]) => [name, toLambdaValue(value)]));
}

function toLambdaValue(value: StreamAttributeValue): AttributeValue {
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: value.N };
  if (value.BOOL !== undefined) return { BOOL: value.BOOL };
  if (value.NULL !== undefined) return { NULL: value.NULL };
  if (value.SS !== undefined) return { SS: value.SS };
  if (value.NS !== undefined) return { NS: value.NS };
  if (value.BS !== undefined) return { BS: value.BS.map((bytes) => Buffer.from(bytes).toString('base64')) };
  if (value.L !== undefined) return { L: value.L.map(toLambdaValue) };
  if (value.M !== undefined) return { M: toLambdaImage(value.M) };
  return { NULL: true };
}
