import { InvalidRequestError } from '../errors.ts';
import { MAX_OTLP_SPANS, MAX_OTLP_STRING_LENGTH, MAX_OTLP_VALUE_DEPTH } from './otlp-limits.ts';

/** An attribute value as JSON: OTLP's AnyValue with int64 as a number when exact, else a decimal string. */
export type AttributeValue = string | number | boolean | null | AttributeValue[] | { [key: string]: AttributeValue };
export type Attributes = Record<string, AttributeValue>;

export type SpanStatusCode = 'unset' | 'ok' | 'error';

export type OtlpSpanEvent = { readonly name: string; readonly timeUnixNano: bigint; readonly attributes: Attributes };

/** One span as the mapping reads it, with its resource and scope beside it. */
export type OtlpSpan = {
  readonly traceId: string;
  readonly spanId: string;
  /** Absent for a root span (no parent in the trace). */
  readonly parentSpanId?: string;
  readonly name: string;
  /** SpanKind as its number (0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer). */
  readonly kind: number;
  readonly startTimeUnixNano: bigint;
  readonly endTimeUnixNano: bigint;
  readonly attributes: Attributes;
  readonly events: readonly OtlpSpanEvent[];
  readonly status: { readonly code: SpanStatusCode; readonly message?: string };
  readonly resource: Attributes;
  readonly scope: { readonly name?: string; readonly version?: string };
};

const STATUS_CODES: Record<number, SpanStatusCode> = { 0: 'unset', 1: 'ok', 2: 'error' };
const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const ZERO_ID = /^0+$/;

/**
 * Reads an ExportTraceServiceRequest in the OTLP JSON mapping (camelCase names, hex trace and span
 * ids, int64 as string or number, enums as numbers, unknown fields ignored) into spans. The protobuf
 * decoder hands its message over in the same shape, so both encodings share this one reader.
 * Anything malformed is an InvalidRequestError naming the field path: the whole export is refused,
 * since a client gets no useful answer from a half-read body.
 */
export function readExportRequest(body: unknown): OtlpSpan[] {
  const request = objectAt(body, '');
  const spans: OtlpSpan[] = [];
  listAt(request, 'resourceSpans', '').forEach((rawResourceSpans, r) => {
    const resourcePath = `resourceSpans[${r}]`;
    const resourceSpans = objectAt(rawResourceSpans, resourcePath);
    const resource = optionalObjectAt(resourceSpans, 'resource', resourcePath);
    const resourceAttributes = resource === undefined ? {} : attributesAt(resource, `${resourcePath}.resource`);
    listAt(resourceSpans, 'scopeSpans', resourcePath).forEach((rawScopeSpans, s) => {
      const scopePath = `${resourcePath}.scopeSpans[${s}]`;
      const scopeSpans = objectAt(rawScopeSpans, scopePath);
      const rawScope = optionalObjectAt(scopeSpans, 'scope', scopePath);
      const scope = rawScope === undefined ? {} : definedOnly({ name: optionalStringAt(rawScope, 'name', `${scopePath}.scope`), version: optionalStringAt(rawScope, 'version', `${scopePath}.scope`) });
      listAt(scopeSpans, 'spans', scopePath).forEach((rawSpan, index) => {
        if (spans.length >= MAX_OTLP_SPANS) invalid(`${scopePath}.spans`, `an export may carry at most ${MAX_OTLP_SPANS} spans`);
        spans.push(readSpan(rawSpan, `${scopePath}.spans[${index}]`, resourceAttributes, scope));
      });
    });
  });
  return spans;
}

function readSpan(raw: unknown, path: string, resource: Attributes, scope: OtlpSpan['scope']): OtlpSpan {
  const span = objectAt(raw, path);
  const parentSpanId = optionalIdAt(span, 'parentSpanId', path, SPAN_ID, 16);
  const status = optionalObjectAt(span, 'status', path);
  const statusMessage = status === undefined ? undefined : optionalStringAt(status, 'message', `${path}.status`);
  return {
    traceId: idAt(span, 'traceId', path, TRACE_ID, 32),
    spanId: idAt(span, 'spanId', path, SPAN_ID, 16),
    ...(parentSpanId === undefined ? {} : { parentSpanId }),
    name: optionalStringAt(span, 'name', path) ?? '',
    kind: optionalIntAt(span, 'kind', path) ?? 0,
    startTimeUnixNano: nanosAt(span, 'startTimeUnixNano', path),
    endTimeUnixNano: nanosAt(span, 'endTimeUnixNano', path),
    attributes: attributesAt(span, path),
    events: listAt(span, 'events', path).map((rawEvent, index) => {
      const eventPath = `${path}.events[${index}]`;
      const event = objectAt(rawEvent, eventPath);
      return { name: optionalStringAt(event, 'name', eventPath) ?? '', timeUnixNano: nanosAt(event, 'timeUnixNano', eventPath), attributes: attributesAt(event, eventPath) };
    }),
    status: {
      code: STATUS_CODES[status === undefined ? 0 : (optionalIntAt(status, 'code', `${path}.status`) ?? 0)] ?? 'unset',
      ...(statusMessage === undefined || statusMessage === '' ? {} : { message: statusMessage }),
    },
    resource,
    scope,
  };
}

function attributesAt(owner: Record<string, unknown>, path: string): Attributes {
  const attributes: Attributes = {};
  listAt(owner, 'attributes', path).forEach((raw, index) => {
    const entryPath = `${joinPath(path, 'attributes')}[${index}]`;
    const entry = objectAt(raw, entryPath);
    const key = optionalStringAt(entry, 'key', entryPath) ?? '';
    const value = fieldOf(entry, 'value');
    // Object.defineProperty, not assignment: a key named `__proto__` must stay a plain key.
    Object.defineProperty(attributes, key, { value: value === undefined || value === null ? null : anyValueAt(value, `${entryPath}.value`, 1), enumerable: true, writable: true, configurable: true });
  });
  return attributes;
}

/** OTLP's AnyValue (one of string, bool, int, double, array, kvlist, bytes) as JSON. */
function anyValueAt(raw: unknown, path: string, depth: number): AttributeValue {
  const value = objectAt(raw, path);
  if (Object.hasOwn(value, 'stringValue')) return stringAt(value, 'stringValue', path);
  if (Object.hasOwn(value, 'boolValue')) {
    const bool = fieldOf(value, 'boolValue');
    if (typeof bool !== 'boolean') invalid(`${path}.boolValue`, 'must be true or false');
    return bool;
  }
  if (Object.hasOwn(value, 'intValue')) return jsonInt(int64At(value, 'intValue', path));
  if (Object.hasOwn(value, 'doubleValue')) return doubleAt(value, path);
  if (Object.hasOwn(value, 'bytesValue')) return stringAt(value, 'bytesValue', path);
  const nested = Object.hasOwn(value, 'arrayValue') ? 'arrayValue' : Object.hasOwn(value, 'kvlistValue') ? 'kvlistValue' : undefined;
  if (nested === undefined) return null;
  if (depth > MAX_OTLP_VALUE_DEPTH) invalid(`${path}.${nested}`, `attribute values may nest at most ${MAX_OTLP_VALUE_DEPTH} arrays or key-value lists deep`);
  const list = objectAt(fieldOf(value, nested), `${path}.${nested}`);
  const values = listAt(list, 'values', `${path}.${nested}`);
  if (nested === 'arrayValue') return values.map((item, index) => anyValueAt(item, `${path}.arrayValue.values[${index}]`, depth + 1));
  const object: Record<string, AttributeValue> = {};
  values.forEach((rawEntry, index) => {
    const entryPath = `${path}.kvlistValue.values[${index}]`;
    const entry = objectAt(rawEntry, entryPath);
    const inner = fieldOf(entry, 'value');
    Object.defineProperty(object, optionalStringAt(entry, 'key', entryPath) ?? '', {
      value: inner === undefined || inner === null ? null : anyValueAt(inner, `${entryPath}.value`, depth + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  });
  return object;
}

/** An int64 as a JSON number when it is exact, else as its decimal string (what the JSON mapping does). */
function jsonInt(value: bigint): number | string {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
}

function doubleAt(value: Record<string, unknown>, path: string): AttributeValue {
  const raw = fieldOf(value, 'doubleValue');
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : String(raw);
  // The JSON mapping writes the non-finite doubles as strings; JSON has no number for them.
  if (raw === 'NaN' || raw === 'Infinity' || raw === '-Infinity') return raw;
  if (typeof raw === 'string' && raw.trim() !== '' && Number.isFinite(Number(raw))) return Number(raw);
  return invalid(`${path}.doubleValue`, 'must be a number');
}

function idAt(owner: Record<string, unknown>, key: string, path: string, pattern: RegExp, length: number): string {
  const id = optionalIdAt(owner, key, path, pattern, length);
  if (id === undefined) invalid(joinPath(path, key), `is required: ${length} hex digits, not all zero`);
  return id;
}

/** A trace or span id as lowercase hex; empty (the JSON mapping's and protobuf's "no parent") is absent. */
function optionalIdAt(owner: Record<string, unknown>, key: string, path: string, pattern: RegExp, length: number): string | undefined {
  const raw = optionalStringAt(owner, key, path);
  if (raw === undefined || raw === '') return undefined;
  const id = raw.toLowerCase();
  if (!pattern.test(id) || ZERO_ID.test(id)) invalid(joinPath(path, key), `must be ${length} hex digits, not all zero (got "${raw.slice(0, 64)}")`);
  return id;
}

/** Nanoseconds since the epoch up to the end of year 9999: later ones have no RFC 3339 timestamp. */
const MAX_UNIX_NANO = 253_402_300_799_999_999_999n;

function nanosAt(owner: Record<string, unknown>, key: string, path: string): bigint {
  if (!Object.hasOwn(owner, key)) return 0n;
  const nanos = int64At(owner, key, path);
  if (nanos < 0n || nanos > MAX_UNIX_NANO) invalid(joinPath(path, key), 'must be nanoseconds since 1970 before the year 10000');
  return nanos;
}

function int64At(owner: Record<string, unknown>, key: string, path: string): bigint {
  const raw = fieldOf(owner, key);
  if (typeof raw === 'number' && Number.isInteger(raw)) return BigInt(raw);
  if (typeof raw === 'string' && /^-?\d{1,21}$/.test(raw)) return BigInt(raw);
  return invalid(joinPath(path, key), 'must be a whole number (as a JSON number or a decimal string)');
}

function optionalIntAt(owner: Record<string, unknown>, key: string, path: string): number | undefined {
  const raw = fieldOf(owner, key);
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === 'number' && Number.isInteger(raw)) return raw;
  return invalid(joinPath(path, key), 'must be an enum number');
}

function stringAt(owner: Record<string, unknown>, key: string, path: string): string {
  const value = optionalStringAt(owner, key, path);
  return value ?? '';
}

function optionalStringAt(owner: Record<string, unknown>, key: string, path: string): string | undefined {
  const raw = fieldOf(owner, key);
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'string') invalid(joinPath(path, key), 'must be a string');
  if (raw.length > MAX_OTLP_STRING_LENGTH) invalid(joinPath(path, key), `is ${raw.length} characters; a string may be at most ${MAX_OTLP_STRING_LENGTH}`);
  return raw;
}

function optionalObjectAt(owner: Record<string, unknown>, key: string, path: string): Record<string, unknown> | undefined {
  const raw = fieldOf(owner, key);
  return raw === undefined || raw === null ? undefined : objectAt(raw, joinPath(path, key));
}

function listAt(owner: Record<string, unknown>, key: string, path: string): unknown[] {
  const raw = fieldOf(owner, key);
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) invalid(joinPath(path, key), 'must be an array');
  return raw;
}

function objectAt(raw: unknown, path: string): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) invalid(path, 'must be an object');
  return Object.fromEntries(Object.entries(raw));
}

function fieldOf(owner: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(owner, key) ? owner[key] : undefined;
}

function definedOnly<T extends Record<string, unknown>>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}

function joinPath(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function invalid(path: string, message: string): never {
  const where = path === '' ? '(body)' : path;
  throw new InvalidRequestError('invalid_request', `the export is malformed at ${where}: ${message}`, [{ path: where, message }]);
}
