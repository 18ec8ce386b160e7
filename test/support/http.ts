import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { startDynamoDbLocal } from '#local/dynamodb-local.ts';
import { startLocalStack, type LocalStackOptions, type RunningLocalStack } from '#local/stack.ts';
import { uniqueId } from './events.ts';

export const ACME_KEY = 'acme-test-key-0123456789';
export const GLOBEX_KEY = 'globex-test-key-0123456789';

type TestStackOptions = Pick<LocalStackOptions, 'maxEventsPerRun' | 'observers' | 'builtInObservers' | 'config' | 'tableName' | 'relayRedriveIntervalMs' | 'faults'> & {
  /**
   * A DynamoDB Local of its own (in memory, stopped with the stack) instead of the run's shared one:
   * for files that load it hard (many concurrent writers to one run, hundreds of events a request),
   * so that they neither slow down nor are slowed down by the file running beside them.
   */
  ownDynamoDb?: boolean;
};

/** The local stack in this test process, on the run's DynamoDB Local (or its own), with a fresh table and two tenants. */
export async function startTestStack({ ownDynamoDb = false, ...options }: TestStackOptions = {}): Promise<RunningLocalStack> {
  const dynamo = ownDynamoDb ? await startDynamoDbLocal() : undefined;
  const stack = await startLocalStack({
    port: 0,
    dynamoDbEndpoint: dynamo?.endpoint ?? inject('dynamoDbEndpoint'),
    tableName: uniqueId('http'),
    apiKeys: `acme:${ACME_KEY},globex:${GLOBEX_KEY}`,
    dataDir: mkdtempSync(join(tmpdir(), 'runledger-test-')),
    ...options,
  });
  if (dynamo === undefined) return stack;
  const stopStack = stack.stop.bind(stack);
  return Object.assign(stack, {
    stop: async () => {
      try {
        await stopStack();
      } finally {
        await dynamo.stop();
      }
    },
  });
}

export type HttpAnswer = { status: number; headers: Headers; body: unknown; text: string };

/** A request with JSON defaults; pass `rawBody` or `headers` to send something malformed. */
export async function request(
  baseUrl: string,
  method: string,
  path: string,
  options: { body?: unknown; rawBody?: string; key?: string | null; headers?: Record<string, string> } = {},
): Promise<HttpAnswer> {
  const headers: Record<string, string> = {};
  if (options.key !== null) headers.authorization = `Bearer ${options.key ?? ACME_KEY}`;
  if (options.body !== undefined || options.rawBody !== undefined) headers['content-type'] = 'application/json';
  Object.assign(headers, options.headers);
  const init: RequestInit = { method, headers };
  if (options.rawBody !== undefined) init.body = options.rawBody;
  else if (options.body !== undefined) init.body = JSON.stringify(options.body);
  const response = await fetch(`${baseUrl}${path}`, init);
  const text = await response.text();
  let body: unknown = undefined;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: response.status, headers: response.headers, body, text };
}
