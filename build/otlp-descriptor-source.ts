import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const PROTO_ROOT = fileURLToPath(new URL('../functions/ingest-traces/proto/', import.meta.url));
const ENTRY = 'opentelemetry/proto/collector/trace/v1/trace_service.proto';

/**
 * The protobufjs JSON descriptor of the vendored trace service definitions (and what they import),
 * plus google.rpc.Status, the body OTLP/HTTP prescribes for errors. Status is declared here rather
 * than vendored from googleapis because the receiver only writes its `code` and `message` (fields 1
 * and 2 of google/rpc/status.proto); its `details` (field 3, repeated Any) is never sent.
 */
export function otlpTraceDescriptor(): protobuf.INamespace {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => (target.startsWith(PROTO_ROOT) ? target : `${PROTO_ROOT}${target}`);
  root.loadSync(ENTRY, { keepCase: false });
  root.define('google.rpc').add(new protobuf.Type('Status').add(new protobuf.Field('code', 1, 'int32')).add(new protobuf.Field('message', 2, 'string')));
  return root.toJSON();
}
