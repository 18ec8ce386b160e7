import type { StalePolicy } from '#shared/run/staleness.ts';
import { requireSetting } from '../config.ts';
import type { Root } from '../compose.ts';

/** The events table's name; every part that reads or writes it needs RUNLEDGER_TABLE_NAME. */
export function tableNameOf(root: Root, neededBy: string): string {
  return requireSetting(root.config, 'RUNLEDGER_TABLE_NAME', neededBy);
}

/** Writers key the stale-deadline index by the same policy the detector judges by. */
export function stalePolicyOf({ config }: Root): StalePolicy {
  return { heartbeatTimeoutSeconds: config.RUNLEDGER_HEARTBEAT_TIMEOUT_SECONDS, maxDurationSeconds: config.RUNLEDGER_MAX_RUN_SECONDS };
}
