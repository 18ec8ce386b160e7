/**
 * Limits of the OTLP trace receiver (docs/opentelemetry.md, "Limits"). An export past any of them is
 * answered 400 or 413 and nothing of it is stored: OTLP clients do not retry those answers.
 */

/** One export, uncompressed: the SDKs' default batch of 512 spans fits with room to spare. */
export const MAX_OTLP_REQUEST_BYTES = 4 * 1024 * 1024;
/** Spans in one export: four SDK default batches. */
export const MAX_OTLP_SPANS = 2048;
/** Characters of one string (attribute value, key, span or event name): a stack trace fits, a dumped file does not. */
export const MAX_OTLP_STRING_LENGTH = 32 * 1024;
/** Levels of array and key-value list values inside one attribute value. */
export const MAX_OTLP_VALUE_DEPTH = 16;
/**
 * Nesting of the JSON text, checked before JSON.parse (which would otherwise recurse as deep as the
 * text goes): the request's own structure is 8 levels, each attribute value level adds 4.
 */
export const MAX_OTLP_JSON_DEPTH = 8 + 4 * MAX_OTLP_VALUE_DEPTH + 8;
