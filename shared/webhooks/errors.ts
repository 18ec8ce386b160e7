/**
 * The webhook domain's errors, apart from the schemas: the HTTP error table imports them, and every
 * API function bundles that table, so this module must pull in nothing else.
 */

/** The subscription does not exist for this tenant (whether or not another tenant has one by that id). */
export class SubscriptionNotFoundError extends Error {
  override readonly name = 'SubscriptionNotFoundError';
  constructor(id: string) {
    super(`subscription '${id}' was not found`);
  }
}

/** The URL resolves to an address runledger may not call (private, loopback, link-local...). */
export class ForbiddenWebhookAddressError extends Error {
  override readonly name = 'ForbiddenWebhookAddressError';
  readonly address: string;
  constructor(host: string, address: string) {
    super(`${host} resolves to ${address}, a private, loopback or link-local address; webhooks may only call public addresses`);
    this.address = address;
  }
}

/** The URL's host does not resolve. */
export class UnresolvableWebhookHostError extends Error {
  override readonly name = 'UnresolvableWebhookHostError';
}
