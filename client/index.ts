/**
 * The runledger TypeScript client: `import { RunReporter } from 'runledger/client'`.
 * Plain fetch and Web Crypto, no AWS SDK and no `node:` import: it runs in Node 20+, browsers, Deno and Bun.
 */
export { RunReporter, TaskReporter, toErrorInfo, type RunReporterOptions, type TaskDetails, type Usage, type ErrorInfo } from './run-reporter.ts';
export { EventSender, type SenderOptions, type CloseReport, type UnsentEvent, type UnsentReason, type DeliveryProblem } from './event-sender.ts';
export { reportingListener, reportingStatusCallback, type ExecutionListener, type ItemStatus } from './listener-adapter.ts';
export { MissingApiKeyError, DEFAULT_BASE_URL } from './client-env.ts';
export { fullJitterDelay, parseRetryAfter, type BackoffPolicy } from './backoff.ts';
