import protobuf from 'protobufjs/light.js';
import descriptor from './otlp-trace-descriptor.json' with { type: 'json' };

/**
 * The OTLP protobuf messages, from the JSON descriptor build/otlp-descriptor.ts writes out of the
 * vendored opentelemetry-proto files (./proto): protobufjs's light build loads it without the .proto
 * parser, which keeps the function's bundle and cold start small.
 */
const root = protobuf.Root.fromJSON(descriptor);
const ExportRequest = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
const ExportResponse = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse');
const Status = root.lookupType('google.rpc.Status');

// protobufjs stops recursing into nested messages at util.recursionLimit (100 by default): a crafted
// body fails with "max depth exceeded" long before the stack runs out. A valid export nests 6
// messages to reach an attribute value and 3 more per level of it, so MAX_OTLP_VALUE_DEPTH (16, 54
// messages deep) fits under it and is checked by the reader.

/** The id fields OTLP's JSON mapping writes as hex where protobuf's own JSON would write base64. */
const ID_FIELDS = ['traceId', 'spanId', 'parentSpanId'] as const;

/**
 * An ExportTraceServiceRequest in protobuf as the plain object of the OTLP JSON mapping (int64 as
 * decimal strings, enums as numbers, ids as hex), for the one reader both encodings share. Throws
 * whatever protobufjs throws for a body that is not such a message.
 */
export function decodeExportRequest(bytes: Uint8Array): unknown {
  const object = ExportRequest.toObject(ExportRequest.decode(bytes), { longs: String, enums: Number, bytes: String });
  for (const resourceSpans of arrayOf(object.resourceSpans)) {
    for (const scopeSpans of arrayOf(fieldOf(resourceSpans, 'scopeSpans'))) {
      for (const span of arrayOf(fieldOf(scopeSpans, 'spans'))) hexIds(span);
    }
  }
  return object;
}

export function encodeExportResponse(partialSuccess: { rejectedSpans: number; errorMessage: string } | undefined): Uint8Array {
  return ExportResponse.encode(ExportResponse.fromObject(partialSuccess === undefined ? {} : { partialSuccess })).finish();
}

export function encodeStatus(status: { code: number; message: string }): Uint8Array {
  return Status.encode(Status.fromObject(status)).finish();
}

function hexIds(span: unknown): void {
  if (typeof span !== 'object' || span === null) return;
  for (const field of ID_FIELDS) {
    const value: unknown = fieldOf(span, field);
    if (typeof value === 'string') Object.defineProperty(span, field, { value: Buffer.from(value, 'base64').toString('hex'), enumerable: true, writable: true });
  }
}

function arrayOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function fieldOf(value: unknown, field: string): unknown {
  return typeof value === 'object' && value !== null ? Object.getOwnPropertyDescriptor(value, field)?.value : undefined;
}
