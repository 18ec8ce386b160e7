/**
 * A random UUID (v4) from Web Crypto, which Node 20+, browsers, Deno and Bun all have as
 * `globalThis.crypto`. Browsers offer `randomUUID` only in secure contexts (https, localhost);
 * `getRandomValues` works everywhere, so an http page still gets a proper v4 id.
 */
export function randomId(): string {
  if (typeof globalThis.crypto.randomUUID === 'function') return globalThis.crypto.randomUUID();
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
