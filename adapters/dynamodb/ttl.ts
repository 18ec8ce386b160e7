/** DynamoDB TTL counts epoch seconds. */
const SECONDS_PER_DAY = 86_400;

/** The TTL attribute (`expiresAt`) of an item written at `now` that lives `retentionDays`. */
export function expiresAt(now: Date, retentionDays: number): number {
  return Math.floor(now.getTime() / 1000) + retentionDays * SECONDS_PER_DAY;
}
