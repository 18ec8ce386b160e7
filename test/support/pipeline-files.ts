import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { EVENT_SK_PREFIX, runPk } from '#adapters/dynamodb/keys.ts';

const ArchivedSchema = z.looseObject({ runId: z.string(), seq: z.number(), eventId: z.string(), tenant: z.string() });
const AlertLineSchema = z.looseObject({ runId: z.string(), kind: z.string(), tenant: z.string() });

/** Every line of the local archive of one tenant, in file order (repeats included). */
export function archivedEvents(dataDir: string, tenant: string): Array<z.infer<typeof ArchivedSchema>> {
  const dir = join(dataDir, 'archive', `tenant=${tenant}`);
  if (!existsSync(dir)) return [];
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.jsonl'));
  return files.flatMap((file) =>
    readFileSync(join(dir, file), 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => ArchivedSchema.parse(JSON.parse(line))),
  );
}

/** The local alert file's lines. */
export function alertLines(dataDir: string): Array<z.infer<typeof AlertLineSchema>> {
  const file = join(dataDir, 'alerts.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => AlertLineSchema.parse(JSON.parse(line)));
}

/** The stored events of one run, straight from the table. */
export async function storedEvents(client: DynamoDBDocumentClient, tableName: string, tenant: string, runId: string): Promise<Array<{ seq: number; eventId: string; type: string }>> {
  const items: Array<{ seq: number; eventId: string; type: string }> = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :e)',
        ExpressionAttributeValues: { ':pk': runPk(tenant, runId), ':e': EVENT_SK_PREFIX },
        ProjectionExpression: 'seq, eventId, #type',
        ExpressionAttributeNames: { '#type': 'type' },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) items.push({ seq: Number(item.seq), eventId: String(item.eventId), type: String(item.type) });
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return items;
}

/** `name{labels} value` lines of a Prometheus text page, by `name{labels}`. */
export function parsePrometheus(text: string): Map<string, number> {
  const series = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^(\S+\{[^}]*\}) (\S+)$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) series.set(match[1], Number(match[2]));
  }
  return series;
}
