import { createHash } from 'node:crypto';
import type { RunEvent } from '../contract/event.ts';

/** JSON with keys sorted at every level, so two equal events always hash the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, entry]) => entry !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${canonicalJson(entry)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Fingerprint of an event's content: 128 bits of SHA-256, enough to tell retries from reuse. */
export function eventHash(event: RunEvent): string {
  return createHash('sha256').update(canonicalJson(event)).digest('base64url').slice(0, 22);
}
