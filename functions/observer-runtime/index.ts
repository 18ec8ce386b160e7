/**
 * `runledger/observer`: what an observer of your own needs. `parseBusEvent` types the EventBridge
 * event; `recordDeliveries` (a middy middleware) puts its deliveries in the ledger.
 */
export { parseBusEvent, type PublishedDetail, type RunLedgerBusEvent } from '#shared/bus/published-event.ts';
export { recordDeliveries, type RecordDeliveriesMiddleware, type RecordDeliveriesOptions } from './record-deliveries.ts';
