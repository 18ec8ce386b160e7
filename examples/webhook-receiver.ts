import { createServer } from 'node:http';
import { Webhook } from 'standardwebhooks';

/**
 * A webhook receiver: verifies each delivery's Standard Webhooks signature with the subscription's
 * secret, drops repeats by `webhook-id`, prints `verified <type> <runId> <seq>`, answers 204 (400
 * to a bad signature). `RUNLEDGER_WEBHOOK_SECRET=whsec_... PORT=48787 node examples/webhook-receiver.ts`
 */
const webhook = new Webhook(process.env.RUNLEDGER_WEBHOOK_SECRET ?? '');
const seen = new Set<string>();
createServer((request, response) => {
  let body = '';
  request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
  request.on('end', () => {
    const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)]));
    let message: { type: string; data: { runId: string; seq: number } };
    try {
      message = webhook.verify(body, headers) as typeof message;
    } catch {
      response.writeHead(400).end();
      return;
    }
    const id = headers['webhook-id'] ?? '';
    if (!seen.has(id)) {
      seen.add(id);
      process.stdout.write(`verified ${message.type} ${message.data.runId} ${message.data.seq}\n`);
    }
    response.writeHead(204).end();
  });
}).listen(Number(process.env.PORT ?? 48787), '127.0.0.1');
