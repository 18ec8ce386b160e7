/** Hard limits of the public contract (docs/contract.md, "Limits"). */
export const MAX_EVENT_BYTES = 64 * 1024;
export const MAX_REQUEST_BYTES = 1024 * 1024;
export const MAX_EVENTS_PER_REQUEST = 100;
export const MAX_ID_LENGTH = 128;
export const MAX_CUSTOM_NAME_LENGTH = 64;
/**
 * Arrays and objects nested in one request body, counting the body itself. Deeper bodies are
 * refused before JSON.parse: past a few thousand levels parsing (and every recursive walk after
 * it) runs out of stack, which is no answer to give a caller.
 */
export const MAX_JSON_DEPTH = 512;
