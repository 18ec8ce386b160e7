import type { Duplex } from 'node:stream';

/** What Node's HTTP parser refused, in the contract's terms: status, code and a message for the caller. */
type ParserRefusal = { status: number; reason: string; code: string; message: string };

const HEADERS_TOO_LARGE: ParserRefusal = {
  status: 431,
  reason: 'Request Header Fields Too Large',
  code: 'headers_too_large',
  message: 'the request headers are over 16 KiB in all; send fewer or shorter headers',
};

/**
 * Node answers requests its parser refuses (an unknown method, headers over 16 KiB, a header name
 * with a space) itself, with an empty body. Here they get the contract's error shape like any
 * other request-level error, so a client parsing `{"error": {...}}` is never handed nothing.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const refusal = refusalFor(error.code);
  const body = JSON.stringify({ error: { code: refusal.code, message: refusal.message } });
  socket.end(
    [
      `HTTP/1.1 ${refusal.status} ${refusal.reason}`,
      'content-type: application/json; charset=utf-8',
      'cache-control: no-store',
      `content-length: ${Buffer.byteLength(body)}`,
      'connection: close',
      '',
      body,
    ].join('\r\n'),
  );
}

function refusalFor(code: string | undefined): ParserRefusal {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return HEADERS_TOO_LARGE;
    case 'HPE_INVALID_METHOD':
      return { status: 400, reason: 'Bad Request', code: 'invalid_request', message: 'the request line names a method HTTP does not know; each route answers the methods docs/ lists for it' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, reason: 'Request Timeout', code: 'request_timeout', message: 'the request did not arrive in time' };
    default:
      return { status: 400, reason: 'Bad Request', code: 'invalid_request', message: `the request is not well-formed HTTP/1.1 (${code ?? 'unreadable'})` };
  }
}
