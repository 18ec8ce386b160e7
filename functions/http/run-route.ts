import type { APIGatewayProxyEvent } from 'aws-lambda';
import { RunNotFoundError } from '#shared/errors.ts';
import type { EventStore } from '#shared/ports.ts';
import type { RunState } from '#shared/run/run-state.ts';
import { pathParameter } from './path.ts';
import { tenantOf } from './tenant.ts';

/** The tenant, run id and run state of a `/v1/runs/{runId}...` request; 404 for an unknown run or another tenant's. */
export async function runOf(event: APIGatewayProxyEvent, store: EventStore): Promise<{ tenant: string; runId: string; state: RunState }> {
  const tenant = tenantOf(event);
  const runId = pathParameter(event, 'runId') ?? '';
  const state = await store.getRun(tenant, runId);
  if (state === undefined) throw new RunNotFoundError(runId);
  return { tenant, runId, state };
}
