import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '#shared/errors.ts';
import { readExportRequest } from '#shared/otlp/read-export-request.ts';

const span = (extra: Record<string, unknown> = {}) => ({ traceId: '4BF92F3577B34DA6A3CE929D0E0E4736', spanId: '00F067AA0BA902B7', name: 'agent', startTimeUnixNano: '1796115600000000001', endTimeUnixNano: 1796115601000000000, ...extra });
const request = (...spans: unknown[]) => ({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'a' } }] }, scopeSpans: [{ scope: { name: 's' }, spans }] }] });

describe('reading an export in the OTLP JSON mapping', () => {
  it('takes hex ids in any case, int64 as strings or numbers, enums as numbers, and ignores unknown fields', () => {
    const [read] = readExportRequest({ ...request(span({ kind: 3, status: { code: 2, message: 'no' }, futureField: { x: 1 }, parentSpanId: '' })), extra: true });
    expect(read).toMatchObject({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      kind: 3,
      startTimeUnixNano: 1796115600000000001n,
      endTimeUnixNano: 1796115601000000000n,
      status: { code: 'error', message: 'no' },
      resource: { 'service.name': 'a' },
      scope: { name: 's' },
    });
    expect(read).not.toHaveProperty('parentSpanId');
  });

  it('turns attribute values into JSON: int64 exact or as a string, doubles, bools, bytes, arrays and key-value lists', () => {
    const attributes = [
      { key: 'i', value: { intValue: '42' } },
      { key: 'big', value: { intValue: '9007199254740993' } },
      { key: 'd', value: { doubleValue: 1.5 } },
      { key: 'b', value: { boolValue: true } },
      { key: 'bytes', value: { bytesValue: 'AQI=' } },
      { key: 'list', value: { arrayValue: { values: [{ stringValue: 'x' }, { intValue: 1 }] } } },
      { key: 'map', value: { kvlistValue: { values: [{ key: 'k', value: { stringValue: 'v' } }] } } },
      { key: '__proto__', value: { stringValue: 'kept as a key' } },
      { key: 'empty' },
    ];
    const [read] = readExportRequest(request(span({ attributes })));
    expect(read?.attributes).toEqual(Object.fromEntries([['i', 42], ['big', '9007199254740993'], ['d', 1.5], ['b', true], ['bytes', 'AQI='], ['list', ['x', 1]], ['map', { k: 'v' }], ['__proto__', 'kept as a key'], ['empty', null]]));
    expect(Object.getPrototypeOf(read?.attributes)).toBe(Object.prototype);
  });

  it('refuses a malformed export naming the field', () => {
    const refusal = (body: unknown) => {
      try {
        readExportRequest(body);
      } catch (error: unknown) {
        if (error instanceof InvalidRequestError) return error.details;
      }
      return undefined;
    };
    expect(refusal(request(span({ traceId: 'abc' })))).toEqual([{ path: 'resourceSpans[0].scopeSpans[0].spans[0].traceId', message: expect.stringContaining('32 hex digits') }]);
    expect(refusal(request(span({ spanId: '0000000000000000' })))).toEqual([{ path: 'resourceSpans[0].scopeSpans[0].spans[0].spanId', message: expect.stringContaining('not all zero') }]);
    expect(refusal(request(span({ startTimeUnixNano: 'soon' })))).toEqual([{ path: 'resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano', message: expect.any(String) }]);
    expect(refusal(request(span({ endTimeUnixNano: '-1' })))).toEqual([{ path: 'resourceSpans[0].scopeSpans[0].spans[0].endTimeUnixNano', message: expect.stringContaining('year 10000') }]);
    expect(refusal({ resourceSpans: {} })).toEqual([{ path: 'resourceSpans', message: 'must be an array' }]);
    expect(refusal([])).toEqual([{ path: '(body)', message: 'must be an object' }]);
  });

  it('reads an empty export as no spans', () => {
    expect(readExportRequest({})).toEqual([]);
  });
});
