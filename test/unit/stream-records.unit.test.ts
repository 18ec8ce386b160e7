import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { eventsFromStream } from '#adapters/dynamodb/stream-records.ts';

const event = { eventId: 'e1', runId: 'r', type: 'run.progress', occurredAt: '2026-12-02T10:00:00Z', seq: 3, receivedAt: '2026-12-02T10:00:01Z', payload: { progress: 0.5 } };
const body = { B: deflateRawSync(JSON.stringify(event)).toString('base64') };

function record(eventName: 'INSERT' | 'MODIFY' | 'REMOVE', image: Record<string, AttributeValue>, sequenceNumber = '1'): DynamoDBRecord {
  return { eventName, dynamodb: { SequenceNumber: sequenceNumber, NewImage: image } };
}

describe('stream records the relay reads', () => {
  it('carries a producer-sequenced event item as its event, with the tenant', () => {
    const [read] = eventsFromStream([record('INSERT', { pk: { S: 'T#acme#R#r' }, sk: { S: 'E#0000000003' }, body })]);
    expect(read).toEqual({ sequenceNumber: '1', detail: { ...event, tenant: 'acme' } });
  });

  it('skips a server-sequenced (dense) event item: it is published from its confirm', () => {
    expect(eventsFromStream([record('INSERT', { pk: { S: 'T#acme#R#r' }, sk: { S: 'E#0000000003' }, dense: { BOOL: true }, body })])).toEqual([{ sequenceNumber: '1' }]);
  });

  it('reads the range a summary revision confirms, whether the summary was new or rewritten', () => {
    const confirm = { pk: { S: 'T#acme#R#r' }, sk: { S: 'RUN' }, confirmedFrom: { N: '11' }, confirmedTo: { N: '35' } };
    expect(eventsFromStream([record('MODIFY', confirm, '7'), record('INSERT', confirm, '8')])).toEqual([
      { sequenceNumber: '7', confirmed: { tenant: 'acme', runId: 'r', from: 11, to: 35 } },
      { sequenceNumber: '8', confirmed: { tenant: 'acme', runId: 'r', from: 11, to: 35 } },
    ]);
  });

  it('passes claims, guards and removals through with nothing to publish', () => {
    const records = [
      record('MODIFY', { pk: { S: 'T#acme#R#r' }, sk: { S: 'RUN' } }, 'claim'),
      record('INSERT', { pk: { S: 'T#acme#R#r' }, sk: { S: 'I#e1' } }, 'guard'),
      record('REMOVE', { pk: { S: 'T#acme#R#r' }, sk: { S: 'RUN' }, confirmedFrom: { N: '1' }, confirmedTo: { N: '2' } }, 'expired'),
    ];
    expect(eventsFromStream(records)).toEqual([{ sequenceNumber: 'claim' }, { sequenceNumber: 'guard' }, { sequenceNumber: 'expired' }]);
  });

  it('refuses a confirm whose range is not a pair of seqs', () => {
    expect(() => eventsFromStream([record('MODIFY', { pk: { S: 'T#acme#R#r' }, sk: { S: 'RUN' }, confirmedFrom: { N: '0' }, confirmedTo: { N: '2' } })])).toThrow();
  });
});
