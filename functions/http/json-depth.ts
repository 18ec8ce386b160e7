import { InvalidRequestError } from '#shared/errors.ts';

/** Where a JSON text first nests deeper than allowed: the path there (as `events[0].payload.a`) and the depth. */
export type TooDeep = { path: string; depth: number };

/** Paths this long are cut: the first segments say where to look; a 512-segment path says nothing more. */
const SHOWN_SEGMENTS = 8;

type Frame = { kind: 'object'; key: string | undefined; expectingKey: boolean } | { kind: 'array'; index: number };

/**
 * Scans JSON text for nesting past `maxDepth` without building anything, so it cannot itself run
 * out of stack. It reads only brackets, commas, colons and strings (to skip brackets inside them and
 * to name object keys); whether the text is otherwise valid JSON is left to JSON.parse.
 */
export function findTooDeep(text: string, maxDepth: number): TooDeep | undefined {
  if (countBrackets(text) <= maxDepth) return undefined;
  const stack: Frame[] = [];
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    const top = stack.at(-1);
    if (char === '"') {
      const end = stringEnd(text, index);
      if (top?.kind === 'object' && top.expectingKey) {
        top.key = decodeKey(text.slice(index, end + 1));
        top.expectingKey = false;
      }
      index = end;
    } else if (char === '{' || char === '[') {
      stack.push(char === '{' ? { kind: 'object', key: undefined, expectingKey: true } : { kind: 'array', index: 0 });
      if (stack.length > maxDepth) return { path: pathOf(stack.slice(0, -1)), depth: stack.length };
    } else if (char === '}' || char === ']') {
      stack.pop();
    } else if (char === ',' && top !== undefined) {
      if (top.kind === 'array') top.index++;
      else top.expectingKey = true;
    }
  }
  return undefined;
}

function countBrackets(text: string): number {
  let count = 0;
  for (let index = 0; index < text.length; index++) {
    const char = text.charCodeAt(index);
    if (char === 0x7b || char === 0x5b) count++;
  }
  return count;
}

/** The index of the quote closing the string that opens at `start` (or the text's end when unterminated). */
function stringEnd(text: string, start: number): number {
  for (let index = start + 1; index < text.length; index++) {
    const char = text[index];
    if (char === '\\') index++;
    else if (char === '"') return index;
  }
  return text.length - 1;
}

function decodeKey(quoted: string): string {
  try {
    const key: unknown = JSON.parse(quoted);
    return typeof key === 'string' ? key : quoted;
  } catch {
    // An unterminated or badly escaped key: JSON.parse will report the text itself; show it raw.
    return quoted;
  }
}

/** `events[0].payload.a` from the frames enclosing the too-deep value, cut after a few segments. */
function pathOf(parents: readonly Frame[]): string {
  const segments = parents.map((frame) => (frame.kind === 'array' ? `[${frame.index}]` : `.${frame.key ?? ''}`));
  const shown = segments.slice(0, SHOWN_SEGMENTS).join('').replace(/^\./, '');
  return segments.length > SHOWN_SEGMENTS ? `${shown}...` : shown;
}

/** Refuses (400, naming where) a JSON text nested past `maxDepth`, before anything parses it. */
export function refuseTooDeep(text: string, maxDepth: number): void {
  const tooDeep = findTooDeep(text, maxDepth);
  if (tooDeep === undefined) return;
  const message = `nested too deeply at ${tooDeep.path === '' ? '(root)' : tooDeep.path}: at most ${maxDepth} levels of arrays and objects are allowed`;
  throw new InvalidRequestError('invalid_request', `the body is ${message}`, [{ path: tooDeep.path, message }]);
}
