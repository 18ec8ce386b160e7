import type { LookupAddress } from 'node:dns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkWebhookHost, makeHttpWebhookSender, type ResolveHost } from '#adapters/http/webhook-sender.ts';
import { ForbiddenWebhookAddressError } from '#shared/webhooks/errors.ts';
import { startReceiver } from '#test/support/webhook-receiver.ts';

// A real receiver on loopback: a refused request must be refused before it reaches it, not after.
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let port: string;
beforeAll(async () => {
  receiver = await startReceiver(200);
  port = new URL(receiver.url).port;
});
afterAll(async () => {
  await receiver.close();
});

const request = (host: string) => ({ url: `http://${host}:${port}/hook`, headers: { 'content-type': 'application/json' }, body: '{}' });

/** A DNS server that rebinds: `first` for the first question about a name, `then` for every later one. */
function rebindingResolver(first: string, then: string): { resolve: ResolveHost; asked: string[] } {
  const asked: string[] = [];
  const answer = (address: string): LookupAddress[] => [{ address, family: address.includes(':') ? 6 : 4 }];
  return {
    asked,
    resolve: (hostname) => {
      asked.push(hostname);
      return Promise.resolve(answer(asked.length === 1 ? first : then));
    },
  };
}

describe('the webhook sender checks the address it connects to (loopback not allowed, as in AWS)', () => {
  it('refuses a host name that resolves to loopback with the forbidden-address error, and the listening receiver gets nothing', async () => {
    const before = receiver.received.length;
    const send = makeHttpWebhookSender({ timeoutMs: 2000, allowLoopback: false });
    await expect(send(request('localhost'))).rejects.toBeInstanceOf(ForbiddenWebhookAddressError);
    expect(receiver.received.length).toBe(before);
  });

  it('sends to the same receiver through localhost when loopback is allowed (the local stack), so the refusal above is the check', async () => {
    const before = receiver.received.length;
    const send = makeHttpWebhookSender({ timeoutMs: 2000, allowLoopback: true });
    await expect(send(request('localhost'))).resolves.toEqual({ status: 200, retryAfter: undefined });
    expect(receiver.received.length).toBe(before + 1);
  });

  it.each([
    ['loopback', '127.0.0.1'],
    ['the metadata service', '169.254.169.254'],
  ])('refuses at connect time a name that answered a public address when subscribed and %s when sent (DNS rebinding)', async (_what, rebound) => {
    const before = receiver.received.length;
    const dns = rebindingResolver('93.184.216.34', rebound);
    // Subscription time: the public answer passes the check.
    await expect(checkWebhookHost('hooks.example.com', { allowLoopback: false, resolve: dns.resolve })).resolves.toBeUndefined();
    const send = makeHttpWebhookSender({ timeoutMs: 2000, allowLoopback: false, resolve: dns.resolve });
    const refused = send(request('hooks.example.com'));
    await expect(refused).rejects.toBeInstanceOf(ForbiddenWebhookAddressError);
    await expect(refused).rejects.toMatchObject({ address: rebound });
    // The sender asked the resolver itself at connect time, and nothing reached the receiver.
    expect(dns.asked).toEqual(['hooks.example.com', 'hooks.example.com']);
    expect(receiver.received.length).toBe(before);
  });

  it('connects to the address the injected resolver gives when it is allowed (the seam is the one the socket uses)', async () => {
    const before = receiver.received.length;
    const dns = rebindingResolver('127.0.0.1', '127.0.0.1');
    const send = makeHttpWebhookSender({ timeoutMs: 2000, allowLoopback: true, resolve: dns.resolve });
    await expect(send(request('hooks.example.com'))).resolves.toMatchObject({ status: 200 });
    expect(dns.asked).toEqual(['hooks.example.com']);
    expect(receiver.received.length).toBe(before + 1);
  });
});
