import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { BusEntry, EventPublisher } from '#shared/ports.ts';

/** PutEvents on one bus. The client is injected: AWS in Lambda, the local bus's endpoint locally. */
export class EventBridgePublisher implements EventPublisher {
  readonly #client: EventBridgeClient;
  readonly #busName: string;

  constructor(options: { client: EventBridgeClient; busName: string }) {
    this.#client = options.client;
    this.#busName = options.busName;
  }

  async putEntries(entries: readonly BusEntry[]): Promise<number[]> {
    if (entries.length > 10) throw new Error(`PutEvents takes at most 10 entries, got ${entries.length}`);
    const result = await this.#client.send(
      new PutEventsCommand({
        Entries: entries.map((entry) => ({
          EventBusName: this.#busName,
          Source: entry.source,
          DetailType: entry.detailType,
          Detail: entry.detail,
          Time: entry.time,
        })),
      }),
    );
    if ((result.FailedEntryCount ?? 0) === 0) return [];
    // Each result entry lines up with the entry sent at its position; failed ones carry an ErrorCode.
    return (result.Entries ?? []).flatMap((entry, index) => (entry.ErrorCode === undefined || entry.ErrorCode === null ? [] : [index]));
  }
}
