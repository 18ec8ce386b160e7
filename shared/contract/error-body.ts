import * as z from 'zod/mini';

/**
 * The contract's request-level error answer (docs/contract.md): nothing was stored.
 * `details` is present for some 400s (the field errors of a bad query parameter, for example).
 */
export const ErrorBodySchema = z.object({
  error: z.object({
    code: z.string().check(z.describe('Stable, machine-readable: invalid_request, malformed_json, unauthorized, forbidden, not_found, throttled, unavailable...')),
    message: z.string().check(z.describe('What went wrong and what to send instead, in words.')),
    details: z.optional(z.unknown()),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;
