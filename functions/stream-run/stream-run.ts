import type { Root } from '../runtime/compose.ts';
import { eventStoreOf } from '../runtime/parts/stores.ts';
import { streamSlotsOf } from '../runtime/parts/stream-slots.ts';
import { makeServeStream } from './serve-stream.ts';

/**
 * `GET /v1/runs/{runId}/stream`, the part under Lambda's streamifyResponse wrapper: the local stack
 * serves it as is, handing it the Node HTTP response as the sink.
 */
export function makeStreamRunServer(root: Root) {
  const { config } = root;
  const max = config.RUNLEDGER_MAX_OPEN_STREAMS;
  return makeServeStream({
    ...(max === undefined ? {} : { cap: { slots: streamSlotsOf(root), max } }),
    store: eventStoreOf(root),
    clock: root.clock,
    logger: root.logger,
    corsOrigins: config.RUNLEDGER_CORS_ORIGINS,
    settings: {
      pollMs: config.RUNLEDGER_STREAM_POLL_MS,
      heartbeatMs: config.RUNLEDGER_STREAM_HEARTBEAT_MS,
      maxStreamMs: config.RUNLEDGER_STREAM_MAX_MS,
      gapGraceMs: config.RUNLEDGER_STREAM_GAP_GRACE_MS,
    },
  });
}
