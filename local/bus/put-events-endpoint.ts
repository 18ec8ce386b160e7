import { createServer, type Server } from 'node:http';
import { z } from 'zod';
import type { LocalBus } from './local-bus.ts';
import { listenOnLoopback } from '../loopback-server.ts';

const PutEventsRequestSchema = z.object({
  Entries: z
    .array(
      z.object({
        Source: z.string().optional(),
        DetailType: z.string().optional(),
        Detail: z.string().optional(),
        EventBusName: z.string().optional(),
        // AWS JSON 1.1 sends timestamps as epoch seconds.
        Time: z.number().optional(),
        Resources: z.array(z.string()).optional(),
      }),
    )
    .min(1)
    .max(10),
});

/**
 * An EventBridge-compatible PutEvents endpoint (AWS JSON 1.1 protocol) on 127.0.0.1, so the relay
 * uses the real `@aws-sdk/client-eventbridge` unchanged, pointed here by endpoint override.
 * While `refuse` answers true, every call fails as in an EventBridge outage (500, nothing accepted).
 */
export async function startPutEventsEndpoint(
  bus: LocalBus,
  log: (line: string) => void = () => undefined,
  refuse: () => boolean = () => false,
): Promise<{ endpoint: string; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const reply = (status: number, body: unknown) => {
        response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify(body));
      };
      if (request.headers['x-amz-target'] !== 'AWSEvents.PutEvents') {
        return reply(400, { __type: 'UnknownOperationException', message: 'the local bus answers PutEvents only' });
      }
      if (refuse()) return reply(500, { __type: 'InternalException', message: 'the local bus is refusing PutEvents (fault injection)' });
      let parsed: z.infer<typeof PutEventsRequestSchema>;
      try {
        parsed = PutEventsRequestSchema.parse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        return reply(400, { __type: 'ValidationException', message: 'PutEvents takes {"Entries": [1 to 10 entries]}' });
      }
      // Answered only once the bus has the entries on disk; a journal failure is a 500 the SDK retries.
      bus.putEvents(parsed.Entries.map((entry) => ({ ...entry, Time: entry.Time === undefined ? undefined : new Date(entry.Time * 1000) }))).then(
        (results) => reply(200, { FailedEntryCount: results.filter((result) => 'ErrorCode' in result).length, Entries: results }),
        (error: unknown) => {
          log(`local bus: PutEvents not accepted: ${error instanceof Error ? error.message : String(error)}`);
          reply(500, { __type: 'InternalException', message: 'the local bus could not journal the entries' });
        },
      );
    });
  });
  return listenOnLoopback(server);
}
