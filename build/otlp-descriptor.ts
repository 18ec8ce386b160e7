import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { otlpTraceDescriptor } from './otlp-descriptor-source.ts';

// Writes functions/ingest-traces/otlp-trace-descriptor.json from the vendored .proto files, so the
// receiver loads a JSON descriptor with protobufjs/light instead of shipping the .proto parser.
const target = fileURLToPath(new URL('../functions/ingest-traces/otlp-trace-descriptor.json', import.meta.url));
writeFileSync(target, `${JSON.stringify(otlpTraceDescriptor())}\n`);
process.stdout.write(`wrote ${target}\n`);
