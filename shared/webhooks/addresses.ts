import { BlockList, isIP } from 'node:net';

/**
 * Addresses a webhook must never reach (server-side request forgery into the VPC, the instance
 * metadata service, the host itself): RFC 1918/6598/4193 private ranges, loopback, link-local,
 * unspecified, multicast and reserved ranges, and IPv4 written as IPv6. node:net's BlockList does
 * the CIDR arithmetic for both families.
 */
const forbidden = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  forbidden.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const) {
  forbidden.addSubnet(network, prefix, 'ipv6');
}
const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/** Whether a webhook may call this IP address; `allowLoopback` is the local stack's exception. */
export function isAllowedWebhookAddress(address: string, options: { allowLoopback: boolean }): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  // ::ffff:10.0.0.1 reaches 10.0.0.1: judge the IPv4 address inside.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped !== undefined) return isAllowedWebhookAddress(mapped, options);
  if (loopback.check(address, type)) return options.allowLoopback;
  return !forbidden.check(address, type);
}
