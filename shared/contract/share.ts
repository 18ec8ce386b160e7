import * as z from 'zod/mini';
import { SHARE_TTL_LIMITS } from '../auth/share-tokens.ts';

/** `POST /v1/runs/{runId}/share` body: how long the link works. An empty body takes the default. */
export const ShareRequestSchema = z.object({
  expiresInSeconds: z
    ._default(z.int().check(z.gte(SHARE_TTL_LIMITS.minSeconds), z.lte(SHARE_TTL_LIMITS.maxSeconds)), SHARE_TTL_LIMITS.defaultSeconds)
    .check(z.describe(`Seconds the link works, ${SHARE_TTL_LIMITS.minSeconds} to ${SHARE_TTL_LIMITS.maxSeconds} (30 days); default ${SHARE_TTL_LIMITS.defaultSeconds} (a day).`)),
});

/** Its answer. */
export const ShareLinkSchema = z.object({
  token: z.string().check(z.describe('Read-only access to this run only: send it as `Authorization: Bearer <token>` or as `?token=` on the run\'s GET routes.')),
  expiresAt: z.iso.datetime().check(z.describe('When the token stops working.')),
  url: z.optional(z.string()).check(z.describe('The dashboard\'s view of the run with the token in it; absent when no dashboard is configured (RUNLEDGER_DASHBOARD_URL).')),
});
export type ShareLink = z.infer<typeof ShareLinkSchema>;
