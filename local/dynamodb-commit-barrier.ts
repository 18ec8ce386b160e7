import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { listenOnLoopback } from './loopback-server.ts';

/**
 * Operations DynamoDB Local answers before their SQLite COMMIT has run: its `commitTransaction`
 * queues the COMMIT on the database's job queue and returns without waiting for it (seen in
 * `SQLiteDBAccess.commitTransaction` of DynamoDB Local 3.3.1). PutItem, UpdateItem and
 * BatchWriteItem wait for their commit.
 */
const ANSWERED_BEFORE_COMMIT = new Set(['DynamoDB_20120810.TransactWriteItems', 'DynamoDB_20120810.ExecuteTransaction']);

/** The barrier: any request DynamoDB Local serves from SQLite runs after the queued COMMIT (one queue, in order). */
const BARRIER_BODY = JSON.stringify({ Limit: 1 });

/**
 * A loopback proxy in front of DynamoDB Local on disk that holds back the answer to a transaction
 * until DynamoDB Local has committed it: after a 2xx to TransactWriteItems it sends a ListTables
 * (served from the same SQLite job queue, so it runs after the queued COMMIT) and only then
 * forwards the answer. With it, a kill -9 of DynamoDB Local right after an acknowledged write no
 * longer loses that write; the cost is one small request per transaction (measured in the bench).
 */
export async function startCommitBarrier(target: string): Promise<{ endpoint: string; close(): Promise<void> }> {
  const upstream = new URL(target);
  const send = (method: string, headers: IncomingHttpHeaders, body: Buffer): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const outgoing = httpRequest({ host: upstream.hostname, port: upstream.port, method, path: '/', headers }, (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: Buffer.concat(chunks) }));
        answer.on('error', reject);
      });
      outgoing.on('error', reject);
      outgoing.end(body);
    });

  const server: Server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const operation = incoming.headers['x-amz-target'];
      const forward = async () => {
        const answer = await send(incoming.method ?? 'POST', incoming.headers, Buffer.concat(chunks));
        if (typeof operation === 'string' && ANSWERED_BEFORE_COMMIT.has(operation) && answer.status < 300) {
          const barrier = await send('POST', { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.ListTables', authorization: incoming.headers.authorization ?? '' }, Buffer.from(BARRIER_BODY));
          // Without the barrier's answer the commit is not known to be on disk: no acknowledgement.
          if (barrier.status >= 300) throw new Error(`commit barrier answered ${barrier.status}`);
        }
        response.writeHead(answer.status, answer.headers);
        response.end(answer.body);
      };
      forward().catch((error: unknown) => {
        // The SDK retries a 500; the transaction is idempotent for this project's writes (conditions).
        if (!response.headersSent) {
          response.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' });
          response.end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: error instanceof Error ? error.message : String(error) }));
        } else response.destroy();
      });
    });
  });
  return listenOnLoopback(server);
}
