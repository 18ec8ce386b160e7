import { DynamoDbStreamSlots } from '#adapters/dynamodb/dynamodb-stream-slots.ts';
import { part } from '../compose.ts';
import { tableNameOf } from './settings.ts';
import { storeClientOf } from './stores.ts';

/** The open-stream leases (RUNLEDGER_MAX_OPEN_STREAMS), in the events table. */
export const streamSlotsOf = /* @__PURE__ */ part((root) => new DynamoDbStreamSlots({ client: storeClientOf(root), tableName: tableNameOf(root, 'the stream cap') }));
