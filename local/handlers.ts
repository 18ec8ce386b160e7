import type {
  APIGatewayAuthorizerResult,
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  Context,
  DynamoDBBatchResponse,
  DynamoDBStreamEvent,
} from 'aws-lambda';
import middy from '@middy/core';
import { OBSERVERS } from '#functions/observers.ts';
import { recordDeliveries } from '#functions/observer-runtime/record-deliveries.ts';
import { deliveredBatchOf, deliveryLedgerOf } from '#functions/runtime/parts/webhooks.ts';
import { makeAlertingObserverHandler } from '#functions/alerting-observer/alerting-observer.ts';
import { makeAuthorizeHandler, type AuthorizerEvent } from '#functions/authorize/authorize.ts';
import { makeDetectStaleRunsHandler } from '#functions/detect-stale-runs/detect-stale-runs.ts';
import { makeGetOpenApiHandler } from '#functions/get-openapi/handler.ts';
import { makeGetRunHandler } from '#functions/get-run/get-run.ts';
import { makeGetStatsHandler } from '#functions/get-stats/get-stats.ts';
import { makeGetTaskHandler } from '#functions/get-task/get-task.ts';
import { makeHealthHandler } from '#functions/health/handler.ts';
import type { ResponseSink } from '#functions/http/response-sink.ts';
import { makeIngestEventsHandler } from '#functions/ingest-events/ingest-events.ts';
import { makeIngestTracesHandler } from '#functions/ingest-traces/ingest-traces.ts';
import { makeListEventsHandler } from '#functions/list-events/list-events.ts';
import { makeListRunsHandler } from '#functions/list-runs/list-runs.ts';
import { makeListTasksHandler } from '#functions/list-tasks/list-tasks.ts';
import { makeMetricsObserverHandler } from '#functions/metrics-observer/metrics-observer.ts';
import { makeRedriveRelayFailuresHandler } from '#functions/redrive-relay-failures/redrive-relay-failures.ts';
import { makeRelayHandler } from '#functions/relay/relay.ts';
import type { BufferedHandlerName, StreamingHandlerName } from '#functions/routes.ts';
import type { Root } from '#functions/runtime/compose.ts';
import { makeShareRunHandler } from '#functions/share-run/share-run.ts';
import { makeStreamRunServer } from '#functions/stream-run/stream-run.ts';
import { makeListDeliveriesHandler } from '#functions/list-deliveries/list-deliveries.ts';
import { makeManageSubscriptionsHandler } from '#functions/manage-subscriptions/manage-subscriptions.ts';
import { makeReplaySubscriptionHandler } from '#functions/replay-subscription/replay-subscription.ts';
import { makeWebhookFanOutHandler } from '#functions/deliver-webhooks/deliver-webhooks.ts';

export type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
export type TokenAuthorizer = (event: AuthorizerEvent) => Promise<APIGatewayAuthorizerResult>;
export type StreamServer = (event: APIGatewayProxyEvent, sink: ResponseSink) => Promise<void>;
export type RelayHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>;
export type StaleRunDetector = (event: { time: string; tenant?: string }) => Promise<{ examined: number; timedOut: number }>;
export type RelayFailuresRedriver = ReturnType<typeof makeRedriveRelayFailuresHandler>;
export type ObserverHandler = (event: unknown, context: Context) => Promise<void>;

/**
 * The built-in observers' handlers by their folder (the name functions/observers.ts gives). A new
 * built-in observer is its registry entry plus its line here.
 */
const OBSERVER_HANDLERS: Record<string, (root: Root) => ObserverHandler> = {
  'deliver-webhooks': makeWebhookFanOutHandler,
  'metrics-observer': makeMetricsObserverHandler,
  'alerting-observer': makeAlertingObserverHandler,
};

/** Every handler the local stack serves, made from its one root by the same functions Lambda's entries call. */
export type LocalHandlers = {
  readonly routes: Record<BufferedHandlerName, ProxyHandler>;
  readonly streams: Record<StreamingHandlerName, StreamServer>;
  readonly authorize: TokenAuthorizer;
  readonly relay: RelayHandler;
  readonly detectStaleRuns: StaleRunDetector;
  readonly redriveRelayFailures: RelayFailuresRedriver;
  observer(folder: string): ObserverHandler;
};

export function makeLocalHandlers(root: Root): LocalHandlers {
  const observers = new Map<string, ObserverHandler>();
  return {
    routes: {
      'ingest-events': makeIngestEventsHandler(root),
      'ingest-traces': makeIngestTracesHandler(root),
      'get-run': makeGetRunHandler(root),
      'list-runs': makeListRunsHandler(root),
      'list-events': makeListEventsHandler(root),
      'list-tasks': makeListTasksHandler(root),
      'get-task': makeGetTaskHandler(root),
      'get-stats': makeGetStatsHandler(root),
      'share-run': makeShareRunHandler(root),
      health: makeHealthHandler(root.config.RUNLEDGER_CORS_ORIGINS),
      'get-openapi': makeGetOpenApiHandler(root.config.RUNLEDGER_CORS_ORIGINS),
      'manage-subscriptions': makeManageSubscriptionsHandler(root),
      'replay-subscription': makeReplaySubscriptionHandler(root),
      'list-deliveries': makeListDeliveriesHandler(root),
    },
    streams: { 'stream-run': makeStreamRunServer(root) },
    authorize: makeAuthorizeHandler(root),
    relay: makeRelayHandler(root),
    detectStaleRuns: makeDetectStaleRunsHandler(root),
    redriveRelayFailures: makeRedriveRelayFailuresHandler(root),
    observer(folder) {
      const known = observers.get(folder);
      if (known !== undefined) return known;
      const make = OBSERVER_HANDLERS[folder];
      if (make === undefined) throw new Error(`no local wiring for observer handler '${folder}': add it to OBSERVER_HANDLERS in local/handlers.ts`);
      // Built-in observers record their deliveries as a user's would, through runledger/observer's middleware.
      const name = OBSERVERS.find((observer) => observer.target.kind === 'function' && observer.target.handler === folder)?.name;
      const made: ObserverHandler =
        name === undefined ? make(root) : middy(make(root)).use(recordDeliveries({ name, ledger: deliveryLedgerOf(root), batch: deliveredBatchOf(root) }));
      observers.set(folder, made);
      return made;
    },
  };
}
