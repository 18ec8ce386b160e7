import { describe, expect, it } from 'vitest';
import { formatShareKeyRing, generateShareSigningKey, parseShareKeyRing, signShareToken, verifyShareToken, type ShareKeyRing } from '#shared/auth/share-tokens.ts';

const NOW = new Date('2026-12-02T10:00:00Z');
const inOneHour = new Date(NOW.getTime() + 3600_000);
const k1 = generateShareSigningKey('k1');
const k2 = generateShareSigningKey('k2');
const grant = { tenant: 'acme', runId: 'run-1', expiresAt: inOneHour };

describe('share tokens', () => {
  it('verifies a token it signed and gives back tenant, run and expiry', () => {
    const token = signShareToken(grant, k1);
    expect(token.startsWith('rls1.')).toBe(true);
    expect(verifyShareToken(token, { current: k1 }, NOW)).toEqual({ grant });
  });

  it('refuses a token whose claims were changed (another run, another tenant, a later expiry)', () => {
    const token = signShareToken(grant, k1);
    const [prefix, claims, signature] = token.split('.');
    const decoded: unknown = JSON.parse(Buffer.from(claims ?? '', 'base64url').toString('utf8'));
    for (const change of [{ r: 'run-2' }, { t: 'globex' }, { exp: Math.floor(inOneHour.getTime() / 1000) + 86_400 }]) {
      const forged = Buffer.from(JSON.stringify({ ...(decoded as object), ...change })).toString('base64url');
      expect(verifyShareToken(`${prefix}.${forged}.${signature}`, { current: k1 }, NOW)).toEqual({ refused: 'bad signature' });
    }
  });

  it('refuses a token signed with a key it does not hold, even one claiming the same key id', () => {
    const impostor = { id: 'k1', secret: generateShareSigningKey().secret };
    expect(verifyShareToken(signShareToken(grant, impostor), { current: k1 }, NOW)).toEqual({ refused: 'bad signature' });
    expect(verifyShareToken(signShareToken(grant, k2), { current: k1 }, NOW)).toEqual({ refused: 'unknown signing key' });
  });

  it('refuses a token at and after its expiry', () => {
    const token = signShareToken(grant, k1);
    expect(verifyShareToken(token, { current: k1 }, new Date(inOneHour.getTime() - 1000))).toHaveProperty('grant');
    expect(verifyShareToken(token, { current: k1 }, inOneHour)).toEqual({ refused: 'expired token' });
  });

  it('keeps verifying tokens of the previous key after a rotation, and stops once that key is dropped', () => {
    const before = signShareToken(grant, k1);
    const rotated: ShareKeyRing = { current: k2, previous: k1 };
    expect(verifyShareToken(before, rotated, NOW)).toHaveProperty('grant');
    expect(verifyShareToken(signShareToken(grant, rotated.current), rotated, NOW)).toHaveProperty('grant');
    expect(verifyShareToken(before, { current: k2 }, NOW)).toEqual({ refused: 'unknown signing key' });
  });

  it('refuses what is not a share token at all', () => {
    for (const token of ['', 'rl_abc', 'rls1.', 'rls1.x.y', `rls1.${Buffer.from('{"t":"acme"}').toString('base64url')}.sig`, `rls1.${'a'.repeat(600)}.b`]) {
      expect(verifyShareToken(token, { current: k1 }, NOW)).toEqual({ refused: 'malformed token' });
    }
  });

  it('reads one or two configured keys, current first, and names what is wrong with a bad list', () => {
    expect(parseShareKeyRing(formatShareKeyRing({ current: k2, previous: k1 }))).toEqual({ current: k2, previous: k1 });
    expect(parseShareKeyRing(`k1:${k1.secret}`)).toEqual({ current: k1 });
    expect(() => parseShareKeyRing('')).toThrow('one or two');
    expect(() => parseShareKeyRing('k1:short')).toThrow('at least 32');
    expect(() => parseShareKeyRing(`k1:${k1.secret},k1:${k2.secret}`)).toThrow('different ids');
    expect(() => parseShareKeyRing(`a:${k1.secret},b:${k1.secret},c:${k1.secret}`)).toThrow('one or two');
  });
});
