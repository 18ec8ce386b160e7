import type { APIGatewayProxyResult } from 'aws-lambda';

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

export function jsonResponse(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return { statusCode, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

/** The contract's request-level error shape: `{"error": {"code", "message", "details"?}}`. */
export function errorResponse(
  statusCode: number,
  error: { code: string; message: string; details?: unknown },
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  const { code, message, details } = error;
  return jsonResponse(statusCode, { error: details === undefined ? { code, message } : { code, message, details } }, headers);
}
