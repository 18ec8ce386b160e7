import * as z from 'zod/mini';
import { MAX_EVENTS_PER_REQUEST } from './limits.ts';

/**
 * The coarse shape of an ingest body, checked at the front door (API Gateway request validation)
 * before a function runs. Events themselves are validated one by one by the handler, so that one
 * bad event never blocks the others.
 */
export const BatchBodyShapeSchema = z.object({
  // No maxItems here: more than MAX_EVENTS_PER_REQUEST is a 413 by contract, which the handler answers.
  events: z.array(z.looseObject({})).check(z.minLength(1)),
});

export { MAX_EVENTS_PER_REQUEST };

/** `POST /v1/runs/{runId}/events` takes one event object or a batch: a JSON object of either shape. */
export const RunEventsBodyShapeSchema = z.looseObject({});
