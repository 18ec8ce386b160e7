import { describe, expect, it } from 'vitest';
import { alertPk, apiKeyPk, deliveredSk, failureSk, parseLedgerSk, replaySk, deadlineIndexPk, DEADLINE_PK_PREFIX, eventSk, EVENT_SK_PREFIX, keyHashOf, parseRunPk, runPk, RUN_PK_PREFIX, statsPk, statusIndexPk, threadIndexPk } from '#adapters/dynamodb/keys.ts';

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

describe('ledger sort keys', () => {
  it('reads a replay key back to its subscriber and id, and keeps reading delivered and failure keys as before', () => {
    expect(parseLedgerSk(replaySk('sub_1', 'rpl_0mh3k2a1b9f00aa11bb22'))).toEqual({ item: 'replay', subscriber: 'sub_1', replayId: 'rpl_0mh3k2a1b9f00aa11bb22' });
    expect(parseLedgerSk(failureSk('sub_1', 42))).toEqual({ item: 'failure', subscriber: 'sub_1', seq: 42 });
    expect(parseLedgerSk(deliveredSk('alerting', 300))).toEqual({ item: 'delivered', subscriber: 'alerting' });
    expect(parseLedgerSk('SLOT#1')).toBeUndefined();
  });
});
