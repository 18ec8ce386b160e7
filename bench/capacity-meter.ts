import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { EVENTS_TABLE, RUN_INDEXES } from '#adapters/dynamodb/table-definition.ts';

/**
 * A metering proxy in front of DynamoDB Local. The benchmark points the real handlers at it, so
 * nothing in them changes: it asks DynamoDB for ReturnConsumedCapacity on every call and adds up
 * what comes back, and it also computes write units from the items with DynamoDB's own rules
 * (1 unit per started KB per item, twice inside a transaction) in case the server reports none.
 * Index writes are computed too: DynamoDB Local reports none. A global index costs a write when an
 * item enters or leaves it and two when its keys move (KEYS_ONLY: other changes cost nothing);
 * the local task index one per item that has its sort key.
 */
export type CapacityTotals = {
  reportedWriteUnits: number;
  reportedReadUnits: number;
  computedWriteUnits: number;
  /** Of computedWriteUnits: the part spent on secondary indexes. */
  indexWriteUnits: number;
  calls: Record<string, number>;
};

const CapacitySchema = z.array(z.object({ CapacityUnits: z.number().optional(), WriteCapacityUnits: z.number().optional(), ReadCapacityUnits: z.number().optional() }));
const ConsumedSchema = z.object({ ConsumedCapacity: z.union([CapacitySchema.element, CapacitySchema]).optional() }).loose();

const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems', 'BatchExecuteStatement']);
const READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);

export class CapacityMeter {
  totals: CapacityTotals = emptyTotals();
  /** Off: bytes are piped through untouched, so timing runs pay no metering cost. */
  enabled = true;
  #server: Server | undefined;
  /** The last written index keys of each item, to tell whether a write moved it in an index. */
  readonly #indexKeys = new Map<string, string[]>();

  static async start(target: string): Promise<{ meter: CapacityMeter; endpoint: string }> {
    const targetUrl = new URL(target);
    const meter = new CapacityMeter();
    const server = createServer((req, res) => {
      if (meter.enabled === false) {
        const upstream = httpRequest({ host: targetUrl.hostname, port: targetUrl.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
          res.writeHead(answer.statusCode ?? 500, answer.headers);
          answer.pipe(res);
        });
        upstream.on('error', () => res.destroy());
        req.pipe(upstream);
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? 'unknown';
        let body = Buffer.concat(chunks);
        let parsed: Record<string, unknown> | undefined;
        try {
          parsed = z.record(z.string(), z.unknown()).parse(JSON.parse(body.toString('utf8')));
        } catch {
          parsed = undefined;
        }
        if (parsed !== undefined && (WRITES.has(operation) || READS.has(operation))) {
          parsed.ReturnConsumedCapacity = 'TOTAL';
          body = Buffer.from(JSON.stringify(parsed));
          meter.count(operation, parsed);
        }
        const headers = { ...req.headers, host: targetUrl.host, 'content-length': String(body.byteLength) };
        const upstream = httpRequest({ host: targetUrl.hostname, port: targetUrl.port, method: req.method, path: req.url, headers }, (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => parts.push(chunk));
          answer.on('end', () => {
            const payload = Buffer.concat(parts);
            meter.record(operation, payload);
            res.writeHead(answer.statusCode ?? 500, answer.headers);
            res.end(payload);
          });
        });
        upstream.on('error', () => res.destroy());
        upstream.end(body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    meter.#server = server;
    return { meter, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  }

  reset(): CapacityTotals {
    const totals = this.totals;
    this.totals = emptyTotals();
    return totals;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.#server?.close(() => resolve());
      this.#server?.closeAllConnections();
    });
  }

  count(operation: string, input: Record<string, unknown>): void {
    this.totals.calls[operation] = (this.totals.calls[operation] ?? 0) + 1;
    this.totals.computedWriteUnits += computedWriteUnits(operation, input);
    const indexUnits = writtenItems(operation, input).reduce((sum, item) => sum + this.#indexWriteUnits(item), 0);
    this.totals.indexWriteUnits += indexUnits;
    this.totals.computedWriteUnits += indexUnits;
  }

  #indexWriteUnits(item: Record<string, unknown>): number {
    const key = JSON.stringify([item.pk, item.sk]);
    const before = this.#indexKeys.get(key) ?? RUN_INDEXES.map(() => '');
    const after = RUN_INDEXES.map((index) => {
      const partition = item[index.partitionKey.name];
      const sort = item[index.sortKey.name];
      return partition === undefined || sort === undefined ? '' : JSON.stringify([partition, sort]);
    });
    this.#indexKeys.set(key, after);
    const moves = after.reduce((sum, now, position) => {
      const was = before[position] ?? '';
      if (was === now) return sum;
      return sum + (was !== '' && now !== '' ? 2 : 1);
    }, 0);
    return moves + (item[EVENTS_TABLE.taskIndex.sortKey.name] === undefined ? 0 : 1);
  }

  record(operation: string, payload: Buffer): void {
    let consumed: z.infer<typeof ConsumedSchema>['ConsumedCapacity'];
    try {
      consumed = ConsumedSchema.parse(JSON.parse(payload.toString('utf8'))).ConsumedCapacity;
    } catch {
      return;
    }
    for (const entry of Array.isArray(consumed) ? consumed : consumed === undefined ? [] : [consumed]) {
      if (WRITES.has(operation)) this.totals.reportedWriteUnits += entry.WriteCapacityUnits ?? entry.CapacityUnits ?? 0;
      else this.totals.reportedReadUnits += entry.ReadCapacityUnits ?? entry.CapacityUnits ?? 0;
    }
  }
}

function emptyTotals(): CapacityTotals {
  return { reportedWriteUnits: 0, reportedReadUnits: 0, computedWriteUnits: 0, indexWriteUnits: 0, calls: {} };
}

/** The whole items a call puts (PutItem, BatchWriteItem, TransactWriteItems). */
function writtenItems(operation: string, input: Record<string, unknown>): Array<Record<string, unknown>> {
  const PutSchema = z.object({ Put: z.object({ Item: ItemsSchema }).optional(), PutRequest: z.object({ Item: ItemsSchema }).optional() });
  switch (operation) {
    case 'PutItem':
      return [ItemsSchema.parse(input.Item)];
    case 'BatchWriteItem':
      return Object.values(ItemsSchema.parse(input.RequestItems)).flatMap((requests) => z.array(PutSchema).parse(requests).flatMap((request) => (request.PutRequest === undefined ? [] : [request.PutRequest.Item])));
    case 'TransactWriteItems':
      return z.array(PutSchema).parse(input.TransactItems).flatMap((action) => (action.Put === undefined ? [] : [action.Put.Item]));
    case 'BatchExecuteStatement':
      return insertedItems(input);
    default:
      return [];
  }
}

const ItemsSchema = z.record(z.string(), z.unknown());

const StatementsSchema = z.array(z.object({ Statement: z.string(), Parameters: z.array(z.unknown()).optional() }));

/**
 * The items of PartiQL `INSERT INTO "t" VALUE {'name': ?, ...}` statements (the only PartiQL the
 * project writes), rebuilt from the attribute names in the statement and its parameters. An
 * INSERT costs what a PutItem of the same item costs.
 */
function insertedItems(input: Record<string, unknown>): Array<Record<string, unknown>> {
  return StatementsSchema.parse(input.Statements).flatMap(({ Statement, Parameters = [] }) => {
    if (!/^\s*INSERT/i.test(Statement)) return [];
    const names = [...Statement.matchAll(/'([A-Za-z0-9_]+)'\s*:\s*\?/g)].map((match) => match[1] ?? '');
    return [Object.fromEntries(names.map((name, position) => [name, Parameters[position]]))];
  });
}

/** Write units of one call by DynamoDB's rules, from the items it writes. */
function computedWriteUnits(operation: string, input: Record<string, unknown>): number {
  const units = (item: unknown) => Math.max(1, Math.ceil(itemBytes(ItemsSchema.parse(item)) / 1024));
  switch (operation) {
    case 'PutItem':
      return units(input.Item);
    case 'BatchWriteItem':
      return Object.values(ItemsSchema.parse(input.RequestItems))
        .flatMap((requests) => z.array(z.object({ PutRequest: z.object({ Item: z.unknown() }).optional() })).parse(requests))
        .reduce((sum, request) => sum + (request.PutRequest === undefined ? 1 : units(request.PutRequest.Item)), 0);
    case 'TransactWriteItems':
      return z
        .array(z.object({ Put: z.object({ Item: z.unknown() }).optional() }))
        .parse(input.TransactItems)
        .reduce((sum, action) => sum + 2 * (action.Put === undefined ? 1 : units(action.Put.Item)), 0);
    case 'BatchExecuteStatement':
      return insertedItems(input).reduce((sum, item) => sum + units(item), 0);
    default:
      return WRITES.has(operation) ? 1 : 0;
  }
}

/** An item's size as DynamoDB counts it: attribute names plus values (DynamoDB JSON). */
export function itemBytes(item: Record<string, unknown>): number {
  return Object.entries(item).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + valueBytes(value), 0);
}

function valueBytes(value: unknown): number {
  const typed = z.record(z.string(), z.unknown()).parse(value);
  const [type, inner] = Object.entries(typed)[0] ?? ['NULL', true];
  switch (type) {
    case 'S':
      return Buffer.byteLength(String(inner));
    case 'N':
      return Math.ceil(String(inner).replace(/^-|\.|^0+/g, '').length / 2) + 1;
    case 'B':
      return Buffer.from(String(inner), 'base64').byteLength;
    case 'BOOL':
    case 'NULL':
      return 1;
    case 'M':
      return 3 + itemBytes(z.record(z.string(), z.unknown()).parse(inner)) + Object.keys(z.record(z.string(), z.unknown()).parse(inner)).length;
    case 'L':
      return 3 + z.array(z.unknown()).parse(inner).reduce<number>((sum, element) => sum + 1 + valueBytes(element), 0);
    default:
      return Buffer.byteLength(JSON.stringify(inner));
  }
}
