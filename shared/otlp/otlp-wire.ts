import * as z from 'zod/mini';
import { MAX_OTLP_REQUEST_BYTES } from './otlp-limits.ts';

/**
 * The OTLP/HTTP trace shapes as the OpenAPI document shows them, in the OTLP JSON mapping (the
 * protobuf encoding carries the same messages). The receiver reads requests with
 * shared/otlp/read-export-request.ts, which follows the same mapping field by field; these schemas
 * describe, they do not validate.
 */
const KeyValues = z.array(z.looseObject({ key: z.string(), value: z.optional(z.looseObject({})) }));

export const OtlpExportTraceRequestSchema = z
  .looseObject({
    resourceSpans: z.optional(
      z.array(
        z.looseObject({
          resource: z.optional(z.looseObject({ attributes: z.optional(KeyValues) })),
          scopeSpans: z.optional(
            z.array(
              z.looseObject({
                scope: z.optional(z.looseObject({ name: z.optional(z.string()), version: z.optional(z.string()) })),
                spans: z.optional(
                  z.array(
                    z.looseObject({
                      traceId: z.string().check(z.describe('32 hex digits.')),
                      spanId: z.string().check(z.describe('16 hex digits.')),
                      parentSpanId: z.optional(z.string().check(z.describe('16 hex digits; empty or absent for a root span.'))),
                      name: z.string(),
                      kind: z.optional(z.int()),
                      startTimeUnixNano: z.union([z.string(), z.int()]),
                      endTimeUnixNano: z.union([z.string(), z.int()]),
                      attributes: z.optional(KeyValues),
                      events: z.optional(z.array(z.looseObject({ timeUnixNano: z.union([z.string(), z.int()]), name: z.string(), attributes: z.optional(KeyValues) }))),
                      status: z.optional(z.looseObject({ code: z.optional(z.int().check(z.describe('0 unset, 1 ok, 2 error.'))), message: z.optional(z.string()) })),
                    }),
                  ),
                ),
              }),
            ),
          ),
        }),
      ),
    ),
  })
  .check(z.describe(`An ExportTraceServiceRequest (opentelemetry-proto), at most ${MAX_OTLP_REQUEST_BYTES / 1024 / 1024} MiB uncompressed; unknown fields are ignored.`));

export const OtlpExportTraceResponseSchema = z
  .object({
    partialSuccess: z.optional(
      z.object({
        rejectedSpans: z.int().check(z.describe('Spans not stored (none of their events was): OTLP clients do not retry them.')),
        errorMessage: z.string().check(z.describe('Why, for the first few.')),
      }),
    ),
  })
  .check(z.describe('An ExportTraceServiceResponse; partialSuccess only when some spans could not be taken.'));

export const OtlpStatusSchema = z.object({ code: z.int().check(z.describe('A gRPC status code.')), message: z.string() }).check(z.describe('A google.rpc.Status, as OTLP/HTTP answers errors.'));
