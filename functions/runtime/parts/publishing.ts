import { EventBridgePublisher } from '#adapters/eventbridge/eventbridge-publisher.ts';
import { FileFailedPublishStore } from '#adapters/file/file-failed-publish-store.ts';
import { SqsFailedPublishStore } from '#adapters/sqs/sqs-failed-publish-store.ts';
import { makePublishFilter } from '#shared/bus/publish-filter.ts';
import type { FailedPublishStore } from '#shared/ports.ts';
import { requireSetting } from '../config.ts';
import { part, requireClient } from '../compose.ts';

/** PutEvents on the runledger bus (AWS, or the local bus by endpoint override on the client). */
export const publisherOf = /* @__PURE__ */ part(
  (root) => new EventBridgePublisher({ client: requireClient(root, 'eventBridge', 'the relay'), busName: requireSetting(root.config, 'RUNLEDGER_EVENT_BUS_NAME', 'the relay') }),
);

/** Publishes only the types some subscription's pattern can match. */
export const publishFilterOf = /* @__PURE__ */ part((root) => makePublishFilter(requireSetting(root.config, 'RUNLEDGER_PUBLISH_PATTERNS', 'the relay')));

/**
 * Where the relay keeps what it could not publish after its retries: the relay-failures queue in
 * AWS, a directory locally. Undefined when neither is configured: failures then go back to the
 * stream (retried, then its on-failure queue).
 */
export const failedPublishStoreOf = /* @__PURE__ */ part((root): FailedPublishStore | undefined => {
  const { RUNLEDGER_RELAY_FAILURES_QUEUE_URL: queueUrl, RUNLEDGER_RELAY_FAILURES_DIR: dir } = root.config;
  if (queueUrl !== undefined) return new SqsFailedPublishStore({ client: requireClient(root, 'sqs', 'the relay failures queue'), queueUrl });
  if (dir !== undefined) return new FileFailedPublishStore({ dir });
  return undefined;
});
