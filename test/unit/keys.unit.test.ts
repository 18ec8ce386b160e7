import { describe, expect, it } from 'vitest';
import { alertPk, apiKeyPk, deadlineIndexPk, DEADLINE_PK_PREFIX, eventSk, EVENT_SK_PREFIX, keyHashOf, parseRunPk, runPk, RUN_PK_PREFIX, statsPk, statusIndexPk, threadIndexPk } from '#adapters/dynamodb/keys.ts';

describe('events table keys', () => {
  it('parses a run key back to the tenant and run id it was built from, even when the run id holds #R#', () => {
    expect(parseRunPk(runPk('acme', 'run-1'))).toEqual({ tenant: 'acme', runId: 'run-1' });
    expect(parseRunPk(runPk('acme', 'a#R#b'))).toEqual({ tenant: 'acme', runId: 'a#R#b' });
  });

  it('finds no run in keys of other kinds', () => {
    expect(parseRunPk(apiKeyPk('abc'))).toBeUndefined();
    expect(parseRunPk(alertPk('acme', 'run-1'))).toBeUndefined();
    expect(parseRunPk(statsPk('acme', 3))).toBeUndefined();
    expect(parseRunPk(deadlineIndexPk('run-1'))).toBeUndefined();
  });

  it('starts every run-side key with the run prefix infra grants on, and deadlines with theirs', () => {
    for (const key of [runPk('t', 'r'), statsPk('t', 0), statusIndexPk('t', 'running'), threadIndexPk('t', 'th')]) expect(key.startsWith(RUN_PK_PREFIX)).toBe(true);
    expect(deadlineIndexPk('run-1').startsWith(DEADLINE_PK_PREFIX)).toBe(true);
    expect(eventSk(42)).toBe(`${EVENT_SK_PREFIX}0000000042`);
  });

  it('reads the key hash back out of an API key item', () => {
    expect(keyHashOf(apiKeyPk('f00d'))).toBe('f00d');
  });
});
