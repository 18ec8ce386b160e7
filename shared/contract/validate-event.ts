import * as z from 'zod/mini';
import { CustomEventSchema, KNOWN_EVENT_SCHEMAS, isCustomEventType, isKnownEventType, EventTypeSchema, type RunEvent } from './event.ts';
import { friendlyErrorMap, toFieldErrors, type FieldError } from './issues.ts';
import { MAX_EVENT_BYTES } from './limits.ts';

export type EventValidation = { ok: true; event: RunEvent } | { ok: false; errors: FieldError[] };

const TypeProbeSchema = z.object({ type: EventTypeSchema });

/**
 * Validates one raw event from a request body.
 *
 * The type is checked first so a payload is validated against its own type's schema, which gives
 * `events[2].payload.progress: must be at most 1` rather than a union's "no option matched".
 *
 * @param raw the parsed JSON value
 * @param pathPrefix where the event sits in the body (`events[2]`, or '' for a single event)
 * @param pathRunId the `{runId}` of the route, if any: fills a missing runId, must equal a given one
 */
export function validateEvent(raw: unknown, pathPrefix: string, pathRunId?: string): EventValidation {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return fail(pathPrefix, 'must be a JSON object');
  }
  const bytes = Buffer.byteLength(JSON.stringify(raw));
  if (bytes > MAX_EVENT_BYTES) {
    return fail(pathPrefix, `is ${bytes} bytes serialized; one event may be at most ${MAX_EVENT_BYTES} bytes`);
  }
  const candidate = pathRunId !== undefined && !Object.hasOwn(raw, 'runId') ? { ...raw, runId: pathRunId } : raw;

  const probe = TypeProbeSchema.safeParse(candidate, { error: friendlyErrorMap });
  if (!probe.success) return { ok: false, errors: toFieldErrors(probe.error, pathPrefix) };
  const type = probe.data.type;
  const schema = isKnownEventType(type) ? KNOWN_EVENT_SCHEMAS[type] : isCustomEventType(type) ? CustomEventSchema : undefined;
  if (schema === undefined) return fail(joinPath(pathPrefix, 'type'), 'is not a known event type');

  const parsed = schema.safeParse(candidate, { error: friendlyErrorMap });
  if (!parsed.success) return { ok: false, errors: toFieldErrors(parsed.error, pathPrefix) };
  const event: RunEvent = parsed.data;
  if (pathRunId !== undefined && event.runId !== pathRunId) {
    return fail(joinPath(pathPrefix, 'runId'), `must equal the runId in the URL ('${pathRunId}') or be omitted`);
  }
  return { ok: true, event };
}

function joinPath(prefix: string, field: string): string {
  return prefix === '' ? field : `${prefix}.${field}`;
}

function fail(path: string, message: string): EventValidation {
  return { ok: false, errors: [{ path: path === '' ? '(body)' : path, message }] };
}
