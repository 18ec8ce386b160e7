import { gunzipSync } from 'node:zlib';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { InvalidRequestError, RequestTooLargeError, UnsupportedMediaTypeError } from '#shared/errors.ts';
import { MAX_OTLP_JSON_DEPTH, MAX_OTLP_REQUEST_BYTES } from '#shared/otlp/otlp-limits.ts';
import { readExportRequest, type OtlpSpan } from '#shared/otlp/read-export-request.ts';
import { header } from '../http/header.ts';
import { refuseTooDeep } from '../http/json-depth.ts';
import { decodeExportRequest } from './otlp-codec.ts';

/** The two encodings OTLP/HTTP defines; the answer is written in the request's. */
export type OtlpFormat = 'protobuf' | 'json';

const GZIP_MAGIC = [0x1f, 0x8b] as const;

const MEDIA_TYPES: Record<string, OtlpFormat> = { 'application/x-protobuf': 'protobuf', 'application/json': 'json' };

/** The request's encoding from its Content-Type; undefined for any other type (answered 415). */
export function formatOf(event: Pick<APIGatewayProxyEvent, 'headers'>): OtlpFormat | undefined {
  const mediaType = header(event, 'content-type')?.split(';')[0]?.trim().toLowerCase() ?? '';
  return Object.hasOwn(MEDIA_TYPES, mediaType) ? MEDIA_TYPES[mediaType] : undefined;
}

/**
 * The spans of an OTLP/HTTP trace export: the body as its Content-Type says (protobuf or the OTLP
 * JSON mapping), gunzipped first under `Content-Encoding: gzip`. 415 for another type or encoding;
 * 413 past MAX_OTLP_REQUEST_BYTES, compressed or not (the gunzip stops there: a zip bomb costs no
 * more than a full export); 400 for a body that does not decode, with where when it can say.
 */
export function readExport(event: APIGatewayProxyEvent): { format: OtlpFormat; spans: OtlpSpan[] } {
  const format = formatOf(event);
  if (format === undefined) {
    throw new UnsupportedMediaTypeError(`send the export as "Content-Type: application/x-protobuf" or "application/json" (got ${quoted(header(event, 'content-type'))})`);
  }
  const bytes = bodyBytes(event);
  return { format, spans: readExportRequest(format === 'protobuf' ? decodeProtobuf(bytes) : parseJson(bytes)) };
}

function bodyBytes(event: APIGatewayProxyEvent): Buffer {
  const raw = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64') : Buffer.from(event.body ?? '', 'utf8');
  if (raw.byteLength > MAX_OTLP_REQUEST_BYTES) throw tooLarge(`the body is ${raw.byteLength} bytes`);
  const encoding = header(event, 'content-encoding')?.trim().toLowerCase() ?? 'identity';
  if (encoding === 'identity' || encoding === '') return raw;
  if (encoding !== 'gzip') throw new UnsupportedMediaTypeError(`"Content-Encoding: ${encoding}" is not supported; send gzip or no encoding`);
  // API Gateway may have decompressed the body on the way and left the header: no gzip magic, no gunzip.
  if (raw[0] !== GZIP_MAGIC[0] || raw[1] !== GZIP_MAGIC[1]) return raw;
  try {
    return gunzipSync(raw, { maxOutputLength: MAX_OTLP_REQUEST_BYTES });
  } catch (error: unknown) {
    if (error instanceof RangeError) throw tooLarge('the body is over that once gunzipped');
    throw new InvalidRequestError('invalid_request', `the body is not valid gzip: ${error instanceof Error ? error.message : 'unreadable'}`);
  }
}

function decodeProtobuf(bytes: Buffer): unknown {
  try {
    return decodeExportRequest(bytes);
  } catch (error: unknown) {
    // protobufjs throws Error (or RangeError, at a truncated field) with a message about the wire format; nothing else.
    const reason = error instanceof Error ? error.message : 'unreadable';
    throw new InvalidRequestError('invalid_request', `the body is not a protobuf ExportTraceServiceRequest: ${reason}`);
  }
}

function parseJson(bytes: Buffer): unknown {
  const text = bytes.toString('utf8');
  if (text.trim() === '') throw new InvalidRequestError('malformed_json', 'the body is empty; send an ExportTraceServiceRequest');
  refuseTooDeep(text, MAX_OTLP_JSON_DEPTH);
  try {
    return JSON.parse(text);
  } catch (error: unknown) {
    throw new InvalidRequestError('malformed_json', `the body is not valid JSON: ${error instanceof SyntaxError ? error.message : 'unreadable'}`);
  }
}

function tooLarge(what: string): RequestTooLargeError {
  return new RequestTooLargeError(`${what}; an export may be at most ${MAX_OTLP_REQUEST_BYTES} bytes (uncompressed): send smaller batches`);
}

function quoted(value: string | undefined): string {
  return value === undefined ? 'none' : `"${value}"`;
}
