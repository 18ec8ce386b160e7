import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import * as z from 'zod/mini';
import { IdSchema, TenantIdSchema } from '../contract/ids.ts';

/**
 * Share tokens: read-only access to one run of one tenant until an instant, signed with
 * HMAC-SHA256. A token is `rls1.<claims>.<signature>` (base64url JSON claims, base64url MAC over
 * `rls1.<claims>`), short enough for a URL and recognisable at a glance beside an API key (`rl_...`).
 *
 * Written here rather than with a JWT library: the claims are four fixed fields checked by one
 * issuer, and a JWT library brings algorithm negotiation (`alg: none`, RS/HS confusion) that only
 * widens what a tampered token can try. One HMAC and a constant-time compare is the whole protocol.
 */
export const SHARE_TOKEN_PREFIX = 'rls1.';

/** A signing key: `id` goes into the claims so a verifier picks the key a token was signed with. */
export type ShareSigningKey = { readonly id: string; readonly secret: string };

/**
 * The keys in use: tokens are signed with `current`; tokens signed with `previous` still verify,
 * so a rotation (previous := current, current := new) does not cut off links already handed out.
 */
export type ShareKeyRing = { readonly current: ShareSigningKey; readonly previous?: ShareSigningKey };

/** What a share token grants: reading `runId` of `tenant` until `expiresAt`. */
export type ShareGrant = { readonly tenant: string; readonly runId: string; readonly expiresAt: Date };

export type ShareVerification = { readonly grant: ShareGrant } | { readonly refused: 'malformed token' | 'bad signature' | 'unknown signing key' | 'expired token' };

/** Shortest and longest life of a share link: a minute to 30 days (a link is a bearer secret; it should lapse). */
export const SHARE_TTL_LIMITS = { minSeconds: 60, maxSeconds: 30 * 86_400, defaultSeconds: 86_400 } as const;

const KEY_ID = /^[A-Za-z0-9._-]{1,32}$/;
const MIN_SECRET_CHARS = 32;

export function isShareToken(token: string): boolean {
  return token.startsWith(SHARE_TOKEN_PREFIX);
}

/** A fresh signing key: 256 random bits. */
export function generateShareSigningKey(id = `k${Date.now().toString(36)}`): ShareSigningKey {
  return { id, secret: randomBytes(32).toString('base64url') };
}

export function signShareToken(grant: ShareGrant, key: ShareSigningKey): string {
  const claims = { t: grant.tenant, r: grant.runId, exp: Math.floor(grant.expiresAt.getTime() / 1000), k: key.id };
  const body = `${SHARE_TOKEN_PREFIX}${Buffer.from(JSON.stringify(claims), 'utf8').toString('base64url')}`;
  return `${body}.${mac(body, key.secret)}`;
}

/** Checks the signature first (with the key the token names), then the claims, then the expiry. */
export function verifyShareToken(token: string, keys: ShareKeyRing, now: Date): ShareVerification {
  if (!isShareToken(token) || token.length > 512) return { refused: 'malformed token' };
  const dot = token.lastIndexOf('.');
  const body = token.slice(0, dot);
  const signature = token.slice(dot + 1);
  const claims = readClaims(body.slice(SHARE_TOKEN_PREFIX.length));
  if (claims === undefined) return { refused: 'malformed token' };
  const key = [keys.current, keys.previous].find((candidate) => candidate?.id === claims.k);
  if (key === undefined) return { refused: 'unknown signing key' };
  const expected = Buffer.from(mac(body, key.secret), 'utf8');
  const given = Buffer.from(signature, 'utf8');
  if (expected.byteLength !== given.byteLength || !timingSafeEqual(expected, given)) return { refused: 'bad signature' };
  const expiresAt = new Date(claims.exp * 1000);
  if (expiresAt.getTime() <= now.getTime()) return { refused: 'expired token' };
  return { grant: { tenant: claims.t, runId: claims.r, expiresAt } };
}

/** The signing keys as configured: `id:secret` (current) or `id:secret,id:secret` (current, previous). */
export function parseShareKeyRing(text: string): ShareKeyRing {
  const keys = text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => {
      const separator = entry.indexOf(':');
      const id = entry.slice(0, separator);
      const secret = entry.slice(separator + 1);
      if (separator < 1 || !KEY_ID.test(id) || secret.length < MIN_SECRET_CHARS) {
        throw new InvalidShareKeysError(`each share signing key must be id:secret, the id 1-32 of [A-Za-z0-9._-], the secret at least ${MIN_SECRET_CHARS} characters; '${entry.slice(0, 12)}...' is not`);
      }
      return { id, secret };
    });
  const [current, previous, ...rest] = keys;
  if (current === undefined || rest.length > 0) throw new InvalidShareKeysError(`give one or two share signing keys (current, then previous), not ${keys.length}`);
  if (previous !== undefined && previous.id === current.id) throw new InvalidShareKeysError('the current and previous share signing keys need different ids');
  return previous === undefined ? { current } : { current, previous };
}

/** The configured share signing keys are not `id:secret[,id:secret]`. */
export class InvalidShareKeysError extends Error {
  override readonly name = 'InvalidShareKeysError';
}

export function formatShareKeyRing(keys: ShareKeyRing): string {
  return [keys.current, keys.previous].flatMap((key) => (key === undefined ? [] : [`${key.id}:${key.secret}`])).join(',');
}

function mac(body: string, secret: string): string {
  return createHmac('sha256', secret).update(body, 'utf8').digest('base64url');
}

const ClaimsSchema = z.object({ t: TenantIdSchema, r: IdSchema, exp: z.number().check(z.int(), z.positive()), k: z.string() });
type Claims = z.infer<typeof ClaimsSchema>;

function readClaims(encoded: string): Claims | undefined {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const parsed = ClaimsSchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}
