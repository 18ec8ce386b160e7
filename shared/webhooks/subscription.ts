import * as z from 'zod/mini';
import { toEventPattern, type ObserverFilter } from '../bus/filter-pattern.ts';
import { FILTER_BRANCHES, FilterSchema } from './filter-schema.ts';
import { InvalidPatternError } from '../bus/event-pattern.ts';
import { friendlyErrorMap, toFieldErrors, type FieldError } from '../contract/issues.ts';
import { InvalidRequestError } from '../errors.ts';
import { ForbiddenWebhookAddressError, UnresolvableWebhookHostError } from './errors.ts';

export { ForbiddenWebhookAddressError, SubscriptionNotFoundError, UnresolvableWebhookHostError } from './errors.ts';

export const SUBSCRIPTION_STATUSES = ['active', 'disabled'] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

/** The reason a subscription disabled without one given (by its owner's PATCH) shows. */
export const OWNER_DISABLED_REASON = 'disabled by its owner';

/** A webhook subscription as kept: the public fields plus the signing secret and the failure clock. */
export type Subscription = {
  readonly id: string;
  readonly tenant: string;
  readonly url: string;
  readonly filter: ObserverFilter;
  readonly description?: string | undefined;
  readonly status: SubscriptionStatus;
  /** Why it is disabled (by its owner, or automatically after failing too long). */
  readonly disabledReason?: string | undefined;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** `whsec_<base64>`: shown once, at creation; signs every delivery. */
  readonly secret: string;
  /** When the current streak of failures began (no success since); undefined while healthy. */
  readonly failingSince?: string | undefined;
};

/** What the API shows of a subscription: never the secret. */
export type SubscriptionView = Omit<Subscription, 'secret' | 'tenant' | 'failingSince'>;

export function toSubscriptionView(subscription: Subscription): SubscriptionView {
  const { secret: _secret, tenant: _tenant, failingSince: _failing, ...view } = subscription;
  return view;
}

const UrlSchema = z.string().check(z.minLength(1), z.maxLength(2048));
const DescriptionSchema = z.string().check(z.maxLength(500));

/** `POST /v1/subscriptions` */
export const CreateSubscriptionBodySchema = z.strictObject({
  url: UrlSchema,
  filter: z.unknown(),
  description: z.optional(DescriptionSchema),
});

/** `PATCH /v1/subscriptions/{id}`: any of the fields, at least one. */
export const UpdateSubscriptionBodySchema = z.strictObject({
  url: z.optional(UrlSchema),
  filter: z.optional(z.unknown()),
  description: z.optional(DescriptionSchema),
  status: z.optional(z.enum(SUBSCRIPTION_STATUSES)),
});
export type SubscriptionChanges = { url?: string; filter?: ObserverFilter; description?: string; status?: SubscriptionStatus };


function invalid(errors: FieldError[]): InvalidRequestError {
  return new InvalidRequestError('invalid_request', errors.map((error) => `${error.path} ${error.message}`).join('; '), errors);
}

/** Parses a body with one of the schemas above, answering each bad field with its path. */
export function parseSubscriptionBody<T extends z.ZodMiniType>(schema: T, body: unknown): z.infer<T> {
  const parsed = schema.safeParse(body, { error: friendlyErrorMap });
  if (!parsed.success) throw invalid(toFieldErrors(parsed.error));
  return parsed.data;
}

/**
 * A filter as observers take it (preset, types or pattern), validated as EventBridge would
 * validate the rule's pattern: a pattern EventBridge refuses is a 400 naming where.
 */
export function parseFilter(input: unknown): ObserverFilter {
  // The branch the filter names (preset, types or pattern), so a bad value is reported at its own path, not as "no branch matched".
  const named = typeof input === 'object' && input !== null ? Object.entries(FILTER_BRANCHES).find(([key]) => key in input)?.[1] : undefined;
  const parsed = (named ?? FilterSchema).safeParse(input, { error: friendlyErrorMap });
  if (!parsed.success) {
    throw invalid(parsed.error.issues.map((issue) => ({ path: ['filter', ...issue.path.map(String)].join('.'), message: issue.message })));
  }
  const filter: ObserverFilter = parsed.data;
  try {
    toEventPattern(filter);
  } catch (error: unknown) {
    if (error instanceof InvalidPatternError) throw invalid([{ path: error.path === '' ? 'filter.pattern' : `filter.pattern.${error.path}`, message: error.message }]);
    throw error;
  }
  return filter;
}

/** An http(s) URL without credentials in it; anything else is a 400 on `path`. */
export function parseWebhookUrl(input: string, path = 'url'): URL {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw invalid([{ path, message: 'must be an absolute http or https URL' }]);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid([{ path, message: `must be http or https, not ${url.protocol.replace(/:$/, '')}` }]);
  if (url.username !== '' || url.password !== '') throw invalid([{ path, message: 'must not carry credentials; the signature authenticates runledger to the receiver' }]);
  return url;
}



/** A 400 for the create and update routes, from either address error. */
export function addressProblem(error: unknown, path = 'url'): InvalidRequestError | undefined {
  if (error instanceof ForbiddenWebhookAddressError || error instanceof UnresolvableWebhookHostError) return invalid([{ path, message: error.message }]);
  return undefined;
}
