import { createHash } from 'node:crypto';
import * as z from 'zod/mini';

/**
 * The claim of a server-sequenced run: the seqs one writer is filling right now. A run has at most
 * one claim at a time, so its seqs always start right after the dense confirmed prefix and nobody
 * ever holds a seq above someone else's unfinished one (which could leave an acknowledged event
 * above a hole). Writers to one run take turns; inside one process, concurrent appends are grouped
 * into one turn (group-appends.ts).
 *
 * `ids[i]` is a short hash of the eventId the writer meant for seq `from + i`: a resend of the same
 * events after a crash finds its seqs again and takes them over (the same eventId always keeps the
 * seq its original may still be writing), and a writer waiting on a live claim tells its own
 * eventIds apart. A claim whose lease ran out belongs to whoever writes next.
 */
export const ClaimSchema = z.object({
  token: z.string(),
  from: z.int(),
  ids: z.array(z.string()),
  /** Epoch milliseconds after which anyone may take the claim over. */
  leaseUntil: z.number(),
});
export type Claim = z.infer<typeof ClaimSchema>;

/** 48 bits: a false match only makes a writer reuse a seq or wait a turn, never store twice. */
export function claimIdOf(eventId: string): string {
  return createHash('sha256').update(eventId).digest('base64url').slice(0, 8);
}

export function claimSeqs(claim: Claim): number[] {
  return claim.ids.map((_, offset) => claim.from + offset);
}

export function isClaimLive(claim: Claim, token: string, nowMs: number): boolean {
  return claim.token !== token && claim.leaseUntil > nowMs;
}
