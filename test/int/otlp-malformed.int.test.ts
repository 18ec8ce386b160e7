import { gzipSync } from 'node:zlib';
import protobuf from 'protobufjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import descriptor from '#functions/ingest-traces/otlp-trace-descriptor.json' with { type: 'json' };
import type { RunningLocalStack } from '#local/stack.ts';
import { MAX_OTLP_REQUEST_BYTES, MAX_OTLP_STRING_LENGTH } from '#shared/otlp/otlp-limits.ts';
import { ACME_KEY, GLOBEX_KEY, startTestStack } from '#test/support/http.ts';

// Bodies an exporter would never send, each answered before anything is stored: 400 (never
// retried by OTLP clients) or 413/415, with a google.rpc.Status body in the request's encoding.
// They are sent as the globex tenant, whose run counts must stay zero.

const root = protobuf.Root.fromJSON(descriptor);
const ExportRequest = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
const ExportResponse = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse');
const Status = root.lookupType('google.rpc.Status');

let stack: RunningLocalStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack.stop());

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const jsonSpan = (extra: Record<string, unknown> = {}) => ({ traceId: TRACE, spanId: 'b7ad6b7169203331', name: 'invoke_agent', startTimeUnixNano: '1764579600000000000', endTimeUnixNano: '1764579601000000000', ...extra });
const jsonExport = (spans: unknown[]) => ({ resourceSpans: [{ scopeSpans: [{ spans }] }] });
const protobufExport = (spans: Record<string, unknown>[]) =>
  ExportRequest.encode(ExportRequest.fromObject({ resourceSpans: [{ scopeSpans: [{ spans: spans.map((span) => ({ ...span, traceId: Buffer.from(TRACE, 'hex'), spanId: Buffer.from('b7ad6b7169203331', 'hex') })) }] }] })).finish();

async function send(body: Uint8Array | string, headers: Record<string, string>, key: string | null = GLOBEX_KEY) {
  const response = await fetch(`${stack.url}/v1/traces`, { method: 'POST', headers: { ...(key === null ? {} : { authorization: `Bearer ${key}` }), ...headers }, body });
  return { status: response.status, type: response.headers.get('content-type'), bytes: new Uint8Array(await response.arrayBuffer()) };
}
const PROTOBUF = { 'content-type': 'application/x-protobuf' };
const JSON_TYPE = { 'content-type': 'application/json' };
const GZIP = { 'content-encoding': 'gzip' };

/** A kvlist value nested `levels` deep, in the JSON mapping. */
function nestedValue(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = { stringValue: 'bottom' };
  for (let level = 0; level < levels; level++) value = { kvlistValue: { values: [{ key: 'k', value }] } };
  return value;
}

/** A length-delimited protobuf field (wire type 2), written by hand: protobufjs itself would refuse to encode this deep. */
function field(number: number, bytes: Uint8Array): Uint8Array {
  const length: number[] = [];
  for (let rest = bytes.byteLength; ; rest >>>= 7) {
    if (rest < 0x80) {
      length.push(rest);
      break;
    }
    length.push((rest & 0x7f) | 0x80);
  }
  return Uint8Array.from([(number << 3) | 2, ...length, ...bytes]);
}

/** An export whose one attribute value is a kvlist nested `levels` deep (AnyValue.kvlist_value = 6, KeyValueList.values = 1, KeyValue.value = 2). */
function deepProtobufExport(levels: number): Uint8Array {
  let value = field(1, new TextEncoder().encode('bottom'));
  for (let level = 0; level < levels; level++) value = field(6, field(1, field(2, value)));
  const span = Uint8Array.from([...field(1, Buffer.from(TRACE, 'hex')), ...field(2, Buffer.from('b7ad6b7169203331', 'hex')), ...field(9, field(2, value))]);
  return field(1, field(2, field(2, span)));
}

async function globexRuns(): Promise<number> {
  const response = await fetch(`${stack.url}/v1/stats`, { headers: { authorization: `Bearer ${GLOBEX_KEY}` } });
  const { runs } = (await response.json()) as { runs: Record<string, number> };
  return Object.values(runs).reduce((sum, count) => sum + count, 0);
}

const cases: Array<[string, () => { body: Uint8Array | string; headers: Record<string, string> }, number]> = [
  ['a truncated protobuf message', () => ({ body: protobufExport([{ name: 'x'.repeat(40) }]).slice(0, 30), headers: PROTOBUF }), 400],
  ['protobuf with an invalid wire type', () => ({ body: Uint8Array.from([0x0f, 0x01]), headers: PROTOBUF }), 400],
  ['protobuf nested past the recursion limit', () => ({ body: deepProtobufExport(1000), headers: PROTOBUF }), 400],
  ['malformed JSON', () => ({ body: '{"resourceSpans": [', headers: JSON_TYPE }), 400],
  ['JSON of the wrong shape', () => ({ body: JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: 'none' }] }] }), headers: JSON_TYPE }), 400],
  ['a span id that is not 16 hex digits', () => ({ body: JSON.stringify(jsonExport([jsonSpan({ spanId: 'not-hex' })])), headers: JSON_TYPE }), 400],
  ['absurd nesting in JSON', () => ({ body: JSON.stringify(jsonExport([jsonSpan({ attributes: [{ key: 'deep', value: nestedValue(17) }] })])), headers: JSON_TYPE }), 400],
  ['JSON text nested thousands deep', () => ({ body: `${'['.repeat(5000)}${']'.repeat(5000)}`, headers: JSON_TYPE }), 400],
  ['a huge attribute value', () => ({ body: JSON.stringify(jsonExport([jsonSpan({ attributes: [{ key: 'blob', value: { stringValue: 'x'.repeat(MAX_OTLP_STRING_LENGTH + 1) } }] })])), headers: JSON_TYPE }), 400],
  ['a truncated gzip body', () => ({ body: gzipSync(JSON.stringify(jsonExport([jsonSpan()]))).subarray(0, 40), headers: { ...JSON_TYPE, ...GZIP } }), 400],
  ['a gzip bomb (over 4 MiB once gunzipped)', () => ({ body: gzipSync(Buffer.alloc(MAX_OTLP_REQUEST_BYTES + 1, 0x20)), headers: { ...JSON_TYPE, ...GZIP } }), 413],
  ['a body over 4 MiB', () => ({ body: ' '.repeat(MAX_OTLP_REQUEST_BYTES + 1), headers: JSON_TYPE }), 413],
  ['another content type', () => ({ body: JSON.stringify(jsonExport([jsonSpan()])), headers: { 'content-type': 'text/plain' } }), 415],
  ['another content encoding', () => ({ body: JSON.stringify(jsonExport([jsonSpan()])), headers: { ...JSON_TYPE, 'content-encoding': 'br' } }), 415],
];

describe('POST /v1/traces refuses what it cannot decode, storing nothing', () => {
  it.each(cases)('answers %s with its status and a Status body', async (_name, make, status) => {
    const { body, headers } = make();
    const answer = await send(body, headers);
    expect(answer.status).toBe(status);
    const protobufAnswer = headers['content-type'] === PROTOBUF['content-type'];
    expect(answer.type).toBe(protobufAnswer ? 'application/x-protobuf' : 'application/json');
    const decoded = protobufAnswer ? Status.toObject(Status.decode(answer.bytes)) : (JSON.parse(new TextDecoder().decode(answer.bytes)) as Record<string, unknown>);
    expect(decoded).toEqual({ code: expect.any(Number), message: expect.any(String) });
    expect(await globexRuns()).toBe(0);
  });

  it('answers 401 without a key, with nothing stored', async () => {
    const answer = await send(JSON.stringify(jsonExport([jsonSpan()])), JSON_TYPE, null);
    expect(answer.status).toBe(401);
    expect(await globexRuns()).toBe(0);
  });
});

describe('POST /v1/traces answers in the request\'s encoding', () => {
  it('answers a protobuf export with a protobuf ExportTraceServiceResponse, partialSuccess counting the span it could not take', async () => {
    const good = { name: 'ok', startTimeUnixNano: 1764579600000000000, endTimeUnixNano: 1764579601000000000 };
    const bad = { ...good, name: 'bad', spanId: Buffer.from('00f067aa0ba902b7', 'hex'), attributes: [{ key: 'runledger.run_id', value: { stringValue: 'not a valid id' } }] };
    const body = ExportRequest.encode(
      ExportRequest.fromObject({ resourceSpans: [{ scopeSpans: [{ spans: [{ ...good, traceId: Buffer.from(TRACE, 'hex'), spanId: Buffer.from('00f067aa0ba902b8', 'hex') }, { ...bad, traceId: Buffer.from('2af7651916cd43dd8448eb211c80319c', 'hex') }] }] }] }),
    ).finish();
    const answer = await send(body, PROTOBUF, ACME_KEY);
    expect(answer.status).toBe(200);
    expect(answer.type).toBe('application/x-protobuf');
    const response = ExportResponse.toObject(ExportResponse.decode(answer.bytes), { longs: Number });
    expect(response).toEqual({ partialSuccess: { rejectedSpans: 1, errorMessage: expect.stringContaining('00f067aa0ba902b7') } });
    const run = await fetch(`${stack.url}/v1/runs/otel-${TRACE}`, { headers: { authorization: `Bearer ${ACME_KEY}` } });
    expect(await run.json()).toMatchObject({ status: 'completed', eventCount: 2 });
  });

  it('answers a JSON export with a JSON ExportTraceServiceResponse, without partialSuccess when every span was taken', async () => {
    const answer = await send(JSON.stringify(jsonExport([jsonSpan({ traceId: '1af7651916cd43dd8448eb211c80319c' })])), JSON_TYPE, ACME_KEY);
    expect(answer.status).toBe(200);
    expect(answer.type).toBe('application/json');
    expect(JSON.parse(new TextDecoder().decode(answer.bytes))).toEqual({});
  });
});
