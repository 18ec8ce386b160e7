import type { KeyScope } from '../ports.ts';

export const KEY_SCOPES = ['read', 'write'] as const satisfies readonly KeyScope[];

/** Keys stored before scopes existed did everything a producer does, so they stay `write`. */
export const DEFAULT_KEY_SCOPE: KeyScope = 'write';

/** `write` holds everything `read` does: a producer reads back its own runs (the CLI's follow, the client's checks). */
export function scopeAllows(held: KeyScope, needed: KeyScope): boolean {
  return held === 'write' || needed === 'read';
}

export function isKeyScope(value: unknown): value is KeyScope {
  return KEY_SCOPES.some((scope) => scope === value);
}
