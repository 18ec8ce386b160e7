/**
 * Where a streamed answer goes: Lambda's response stream in AWS, the Node HTTP response locally.
 * `closed` aborts when the client goes away, so a stream stops reading the table for nobody.
 */
export interface ResponseSink {
  open(statusCode: number, headers: Record<string, string>): void;
  write(chunk: string): Promise<void>;
  end(): void;
  readonly closed: AbortSignal;
}
