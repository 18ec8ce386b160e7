import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { COMPONENT_SCHEMAS } from '#functions/openapi/components.ts';
import type { RunningLocalStack } from '#local/stack.ts';
import { uniqueId } from '#test/support/events.ts';
import { request, startTestStack } from '#test/support/http.ts';

let stack: RunningLocalStack;
beforeAll(async () => {
  stack = await startTestStack({ builtInObservers: false });
});
afterAll(() => stack.stop());

/** Just enough of an OpenAPI document to read the request body examples of POST operations. */
const PostExamplesSchema = z.object({
  paths: z.record(
    z.string(),
    z.object({
      post: z.object({ requestBody: z.object({ content: z.object({ 'application/json': z.object({ examples: z.record(z.string(), z.object({ value: z.unknown() })) }) }) }) }).optional(),
    }),
  ),
});

function examplesOf(document: unknown, path: string): Record<string, { value: unknown }> {
  const examples = PostExamplesSchema.parse(document).paths[path]?.post?.requestBody.content['application/json'].examples;
  if (examples === undefined) throw new Error(`the document has no POST ${path} examples`);
  expect(Object.keys(examples).length).toBeGreaterThan(0);
  return examples;
}

async function servedDocument(): Promise<unknown> {
  const answer = await request(stack.url, 'GET', '/v1/openapi.json');
  expect(answer.status).toBe(200);
  return answer.body;
}

describe('GET /v1/openapi.json', () => {
  it('serves the committed document, to API key holders only', async () => {
    expect((await request(stack.url, 'GET', '/v1/openapi.json', { key: null })).status).toBe(401);
    expect(await servedDocument()).toEqual(JSON.parse(readFileSync(new URL('../../openapi.json', import.meta.url), 'utf8')));
  });

  it('describes a request the stack accepts: the ingest example, sent as the document shows it, is stored (202)', async () => {
    const path = '/v1/runs/{runId}/events';
    const examples = examplesOf(await servedDocument(), path);
    const runId = uniqueId('openapi');
    for (const [name, { value }] of Object.entries(examples)) {
      const answer = await request(stack.url, 'POST', path.replace('{runId}', runId + name), { body: value });
      expect(answer.status, `${name}: ${answer.text}`).toBe(202);
      // The answer has the shape the document promises for a 202.
      expect(COMPONENT_SCHEMAS.IngestResponse.parse(answer.body).results.every((result) => result.status === 'accepted')).toBe(true);
    }
    const summary = await request(stack.url, 'GET', `/v1/runs/${runId}batch`);
    expect(COMPONENT_SCHEMAS.RunSummary.parse(summary.body).status).toBe('completed');
  });

  it('describes POST /v1/events with an example the stack accepts too', async () => {
    const path = '/v1/events';
    const examples = examplesOf(await servedDocument(), path);
    for (const { value } of Object.values(examples)) expect((await request(stack.url, 'POST', path, { body: value })).status).toBe(202);
  });
});
