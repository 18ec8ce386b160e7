import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { isAllowedWebhookAddress } from '#shared/webhooks/addresses.ts';
import type { SendAnswer, WebhookSender } from '#shared/webhooks/delivery-job.ts';
import { ForbiddenWebhookAddressError, UnresolvableWebhookHostError } from '#shared/webhooks/errors.ts';

/**
 * Every address a host name resolves to (the system resolver, as `dns.lookup` with `all`). A seam
 * so tests can answer as a rebinding DNS server would: one address when the subscription is
 * checked, another when the request connects.
 */
export type ResolveHost = (hostname: string, options: Pick<LookupOptions, 'family' | 'hints'>) => Promise<LookupAddress[]>;

const systemResolve: ResolveHost = (hostname, options) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { family: options.family, hints: options.hints, all: true }, (error, found) => (error === null ? resolve(found) : reject(error)));
  });

/**
 * Every address a host resolves to, each checked: one forbidden address refuses the host (a
 * round-robin name with one private answer would otherwise reach it one time in n).
 */
export async function checkWebhookHost(host: string, options: { allowLoopback: boolean; resolve?: ResolveHost }): Promise<void> {
  let addresses: LookupAddress[];
  try {
    addresses = await (options.resolve ?? systemResolve)(host, {});
  } catch (error: unknown) {
    const reason = error instanceof Error ? ('code' in error && typeof error.code === 'string' ? error.code : error.message) : String(error);
    throw new UnresolvableWebhookHostError(`${host} does not resolve (${reason})`, { cause: error });
  }
  for (const { address } of addresses) if (!isAllowedWebhookAddress(address, { allowLoopback: options.allowLoopback })) throw new ForbiddenWebhookAddressError(host, address);
}

/**
 * A lookup for node:http that refuses forbidden addresses at connect time. The check at
 * subscription time is not enough: a name can resolve to a public address then and to
 * 169.254.169.254 when we send (DNS rebinding). Checking the very address the socket connects
 * to closes that gap; fetch offers no such hook, hence node:http.
 */
function guardedLookup(allowLoopback: boolean, resolve: ResolveHost): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { family: options.family, hints: options.hints }).then(
      (addresses) => {
        const found = addresses.find(({ address }) => !isAllowedWebhookAddress(address, { allowLoopback }));
        if (found !== undefined) return callback(new ForbiddenWebhookAddressError(hostname, found.address), '', 0);
        if (options.all === true) return callback(null, addresses);
        const [first] = addresses;
        if (first === undefined) return callback(new UnresolvableWebhookHostError(`${hostname} has no address`), '', 0);
        return callback(null, first.address, first.family);
      },
      (error: unknown) => callback(error instanceof Error ? error : new UnresolvableWebhookHostError(`${hostname} does not resolve (${String(error)})`), '', 0),
    );
  };
}

/**
 * Sends webhook requests with node:http(s): a timeout on the whole exchange (a receiver that
 * accepts and never answers costs its subscription at most `timeoutMs`), the answer's body read
 * and dropped (at most 64 KiB), no redirects followed (a 3xx is a failure, as Standard Webhooks
 * receivers answer 2xx).
 */
export function makeHttpWebhookSender(options: { timeoutMs: number; allowLoopback: boolean; resolve?: ResolveHost }): WebhookSender {
  const lookup = guardedLookup(options.allowLoopback, options.resolve ?? systemResolve);
  return ({ url, headers, body }) =>
    new Promise<SendAnswer>((resolve, reject) => {
      const target = new URL(url);
      // An IP literal is not looked up: judge it here.
      const literal = target.hostname.replace(/^\[|\]$/g, '');
      if (/^[\d.]+$/.test(literal) || literal.includes(':')) {
        if (!isAllowedWebhookAddress(literal, { allowLoopback: options.allowLoopback })) return reject(new ForbiddenWebhookAddressError(target.hostname, literal));
      }
      const requestOptions: RequestOptions = { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, lookup, timeout: options.timeoutMs };
      const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
      const request = send(target, requestOptions, (response) => {
        let read = 0;
        response.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > 65_536) response.destroy();
        });
        response.on('close', () => {
          const retryAfter: string | undefined = response.headers['retry-after'];
          resolve({ status: response.statusCode ?? 0, retryAfter });
        });
      });
      const deadline = setTimeout(() => request.destroy(new Error(`no answer within ${options.timeoutMs} ms`)), options.timeoutMs);
      request.on('timeout', () => request.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
      request.on('error', (error) => {
        clearTimeout(deadline);
        reject(error);
      });
      request.on('close', () => clearTimeout(deadline));
      request.end(body);
    });
}
