import { EventBridgePublisher } from '#adapters/eventbridge/eventbridge-publisher.ts';
import { makePublishFilter } from '#shared/bus/publish-filter.ts';
import { requireSetting } from '../config.ts';
import { part, requireClient } from '../compose.ts';

/** PutEvents on the runledger bus (AWS, or the local bus by endpoint override on the client). */
export const publisherOf = /* @__PURE__ */ part(
  (root) => new EventBridgePublisher({ client: requireClient(root, 'eventBridge', 'the relay'), busName: requireSetting(root.config, 'RUNLEDGER_EVENT_BUS_NAME', 'the relay') }),
);

/** Publishes only the types some subscription's pattern can match. */
export const publishFilterOf = /* @__PURE__ */ part((root) => makePublishFilter(requireSetting(root.config, 'RUNLEDGER_PUBLISH_PATTERNS', 'the relay')));
