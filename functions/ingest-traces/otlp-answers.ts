import type { Logger } from '@aws-lambda-powertools/logger';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { toHttpError } from '../http/error-table.ts';
import { encodeExportResponse, encodeStatus } from './otlp-codec.ts';
import { formatOf, type OtlpFormat } from './read-export.ts';

/** gRPC status codes for the Status body (OTLP/HTTP reuses google.rpc.Status), by HTTP status. */
const GRPC_CODES: Readonly<Record<number, number>> = {
  400: 3, // INVALID_ARGUMENT
  401: 16, // UNAUTHENTICATED
  403: 7, // PERMISSION_DENIED
  413: 8, // RESOURCE_EXHAUSTED
  415: 3, // INVALID_ARGUMENT
  429: 8, // RESOURCE_EXHAUSTED
  500: 13, // INTERNAL
  503: 14, // UNAVAILABLE
};

const NO_STORE = { 'cache-control': 'no-store' };

/** 200 with an ExportTraceServiceResponse, `partialSuccess` only when some spans were not taken (as OTLP says). */
export function exportAnswer(format: OtlpFormat, result: { rejectedSpans: number; errorMessage: string }): APIGatewayProxyResult {
  const partialSuccess = result.rejectedSpans === 0 ? undefined : result;
  if (format === 'protobuf') return protobufAnswer(200, encodeExportResponse(partialSuccess));
  return { statusCode: 200, headers: { 'content-type': 'application/json', ...NO_STORE }, body: JSON.stringify(partialSuccess === undefined ? {} : { partialSuccess }) };
}

/**
 * Errors answered as OTLP/HTTP prescribes: the status the error table gives (4xx never retried by
 * exporters, 429 and 503 with Retry-After retried), with a google.rpc.Status body in the request's
 * encoding (JSON when the request's type is neither). 5xx bodies say nothing about the cause, which
 * is logged once.
 */
export function otlpErrors(logger: Logger): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  return {
    onError: (request) => {
      const mapped = toHttpError(request.error);
      if (mapped === undefined || mapped.status >= 500) logger.error(mapped === undefined ? 'unexpected error' : 'request failed', { error: request.error });
      const status = mapped?.status ?? 500;
      const message = mapped?.message ?? 'something went wrong on our side; it has been logged';
      request.response = statusAnswer(formatOf(request.event) ?? 'json', status, message, mapped?.headers ?? {});
    },
  };
}

function statusAnswer(format: OtlpFormat, statusCode: number, message: string, headers: Record<string, string>): APIGatewayProxyResult {
  const status = { code: GRPC_CODES[statusCode] ?? 2, message };
  if (format === 'protobuf') return protobufAnswer(statusCode, encodeStatus(status), headers);
  return { statusCode, headers: { 'content-type': 'application/json', ...NO_STORE, ...headers }, body: JSON.stringify(status) };
}

function protobufAnswer(statusCode: number, bytes: Uint8Array, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return { statusCode, headers: { 'content-type': 'application/x-protobuf', ...NO_STORE, ...headers }, body: Buffer.from(bytes).toString('base64'), isBase64Encoded: true };
}
