import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { otlpTraceDescriptor } from '../../build/otlp-descriptor-source.ts';

describe('the OTLP protobuf descriptor', () => {
  it('is what the vendored .proto files make (run `npm run otlp:descriptor` after updating them)', () => {
    const committed: unknown = JSON.parse(readFileSync(new URL('../../functions/ingest-traces/otlp-trace-descriptor.json', import.meta.url), 'utf8'));
    expect(committed).toEqual(otlpTraceDescriptor());
  });
});
