/**
 * EventBridge event patterns: validation and matching, the same semantics as EventBridge's own
 * rules (user guide: "Event patterns", "Content filtering", "Arrays", "Null values").
 *
 * Written here rather than taken from npm because no package implements the syntax correctly
 * (FACTS.md: the best-known one fails a third of the documented cases and crashes on keys with
 * hyphens). The local bus and the relay's "does anyone want this type?" check both use it, so a
 * pattern behaves locally exactly as the CDK rule built from it will in AWS.
 */

/** A pattern EventBridge would refuse, with where and why. */
export class InvalidPatternError extends Error {
  override readonly name = 'InvalidPatternError';
  readonly path: string;
  constructor(path: string, reason: string) {
    super(`invalid event pattern at ${path === '' ? '(root)' : path}: ${reason}`);
    this.path = path;
  }
}

/** A validated pattern, compiled to a predicate over events. */
export type CompiledPattern = (event: unknown) => boolean;

type FieldTest = (values: readonly unknown[]) => boolean;
/** An event flattened as EventBridge sees it: dotted path -> the leaf values there (array elements spread). */
type Leaves = Map<string, unknown[]>;
type Node = (leaves: Leaves) => boolean;

/** EventBridge refuses patterns whose $or alternatives multiply past this many combinations. */
const MAX_OR_COMBINATIONS = 1000;
/** EventBridge scores wildcard complexity without publishing the formula; more than this many `*` in one value is refused here. */
const MAX_WILDCARDS = 5;

const NUMERIC_OPERATORS = new Set(['<', '<=', '=', '>', '>=']);
const MATCHER_KEYS = new Set(['prefix', 'suffix', 'equals-ignore-case', 'wildcard', 'anything-but', 'numeric', 'exists', 'cidr']);
/**
 * Field names EventBridge refuses inside `$or` alternatives: the operator names and those it keeps
 * for future ones (aws/event-ruler, RESERVED_FIELD_NAMES_IN_OR_RELATIONSHIP in Constants.java).
 */
const RESERVED_IN_OR = new Set([
  ...MATCHER_KEYS,
  'exactly',
  ...NUMERIC_OPERATORS,
  'regex',
  'not-wildcard',
  'not-equals-ignore-case',
  'date-after',
  'date-on-or-after',
  'date-before',
  'date-on-or-before',
  'in-date-range',
  'ip-address-in-range',
  'ip-address-not-in-range',
]);

/** Validates a pattern (throwing InvalidPatternError as EventBridge would refuse it) and compiles it. */
export function compilePattern(pattern: unknown): CompiledPattern {
  if (!isPlainObject(pattern)) throw new InvalidPatternError('', 'a pattern must be a JSON object');
  if (Object.keys(pattern).length === 0) throw new InvalidPatternError('', 'a pattern must name at least one field');
  const combinations = orCombinations(pattern);
  if (combinations > MAX_OR_COMBINATIONS) {
    throw new InvalidPatternError('', `its $or alternatives make ${combinations} combinations; at most ${MAX_OR_COMBINATIONS} are allowed`);
  }
  const node = compileObject(pattern, '');
  return (event) => node(flatten(event));
}

/** Dotted paths to leaf values; arrays spread their elements at the same path, objects recurse. */
function flatten(event: unknown): Leaves {
  const leaves: Leaves = new Map();
  const visit = (value: unknown, path: string): void => {
    if (Array.isArray(value)) {
      for (const element of value) visit(element, path);
    } else if (isPlainObject(value)) {
      for (const [key, child] of Object.entries(value)) visit(child, path === '' ? key : `${path}.${key}`);
    } else if (path !== '') {
      const existing = leaves.get(path);
      if (existing === undefined) leaves.set(path, [value]);
      else existing.push(value);
    }
  };
  visit(event, '');
  return leaves;
}

function orCombinations(pattern: unknown): number {
  if (Array.isArray(pattern)) return pattern.reduce<number>((product, item) => product * orCombinations(item), 1);
  if (!isPlainObject(pattern)) return 1;
  let product = 1;
  for (const [key, value] of Object.entries(pattern)) {
    if (key === '$or' && Array.isArray(value)) product *= value.reduce<number>((sum, alternative) => sum + orCombinations(alternative), 0);
    else if (isPlainObject(value)) product *= orCombinations(value);
  }
  return product;
}

function compileObject(pattern: Record<string, unknown>, path: string): Node {
  const tests: Node[] = [];
  for (const [key, value] of Object.entries(pattern)) {
    const at = path === '' ? key : `${path}.${key}`;
    if (key === '$or') {
      tests.push(compileOr(value, at));
      continue;
    }
    if (Array.isArray(value)) {
      const test = compileMatchers(value, at);
      tests.push((leaves) => test(leaves.get(at) ?? []));
    } else if (isPlainObject(value)) {
      if (Object.keys(value).length === 0) throw new InvalidPatternError(at, 'an empty object matches nothing; name a field or use an array of values');
      tests.push(compileObject(value, at));
    } else {
      throw new InvalidPatternError(at, 'a field must hold an array of values (or an object of nested fields), not a bare value');
    }
  }
  return (leaves) => tests.every((test) => test(leaves));
}

function compileOr(value: unknown, path: string): Node {
  if (!Array.isArray(value) || value.length < 2) throw new InvalidPatternError(path, '$or takes an array of at least two patterns');
  const alternatives = value.map((alternative, index) => {
    if (!isPlainObject(alternative) || Object.keys(alternative).length === 0) {
      throw new InvalidPatternError(`${path}[${index}]`, 'each $or alternative must be a non-empty pattern object');
    }
    const reserved = Object.keys(alternative).find((key) => RESERVED_IN_OR.has(key));
    if (reserved !== undefined) {
      throw new InvalidPatternError(`${path}[${index}].${reserved}`, `"${reserved}" is an operator name and cannot be a field name inside $or`);
    }
    // Alternatives name fields relative to where the $or stands.
    return compileObject(alternative, path.endsWith('$or') ? path.slice(0, -'$or'.length).replace(/\.$/, '') : path);
  });
  return (leaves) => alternatives.some((alternative) => alternative(leaves));
}

/** An array of values and operators: the field matches if any of them does (any element, for array fields). */
function compileMatchers(values: unknown[], path: string): FieldTest {
  if (values.length === 0) throw new InvalidPatternError(path, 'an empty array of values matches nothing');
  const leafTests: Array<(value: unknown) => boolean> = [];
  const presenceTests: Array<(present: boolean) => boolean> = [];
  values.forEach((matcher, index) => {
    const at = `${path}[${index}]`;
    if (matcher === null || typeof matcher === 'string' || typeof matcher === 'number' || typeof matcher === 'boolean') {
      leafTests.push(equalsLiteral(matcher));
    } else if (isPlainObject(matcher)) {
      const compiled = compileOperator(matcher, at);
      if ('presence' in compiled) presenceTests.push(compiled.presence);
      else leafTests.push(compiled.leaf);
    } else {
      throw new InvalidPatternError(at, 'a value must be a string, number, boolean, null or an operator object');
    }
  });
  return (values) => {
    // exists looks at leaves only: an object, an empty array or a missing field have none.
    if (presenceTests.some((test) => test(values.length > 0))) return true;
    // An array field matches when any of its elements does.
    return values.some((value) => leafTests.some((test) => test(value)));
  };
}

function equalsLiteral(literal: string | number | boolean | null): (value: unknown) => boolean {
  return (value) => value === literal;
}

type CompiledOperator = { leaf: (value: unknown) => boolean } | { presence: (present: boolean) => boolean };

function compileOperator(operator: Record<string, unknown>, path: string): CompiledOperator {
  const keys = Object.keys(operator);
  const [name] = keys;
  if (keys.length !== 1 || name === undefined || !MATCHER_KEYS.has(name)) {
    throw new InvalidPatternError(path, `an operator object has exactly one of ${[...MATCHER_KEYS].join(', ')}`);
  }
  const argument = operator[name];
  const at = `${path}.${name}`;
  switch (name) {
    case 'prefix':
    case 'suffix':
      return { leaf: stringOperator(name, argument, at) };
    case 'equals-ignore-case':
      return { leaf: ignoreCase(requireString(argument, at)) };
    case 'wildcard':
      return { leaf: wildcard(requireString(argument, at), at) };
    case 'anything-but':
      return { leaf: anythingBut(argument, at) };
    case 'numeric':
      return { leaf: numeric(argument, at) };
    case 'cidr':
      return { leaf: cidr(requireString(argument, at), at) };
    default: {
      if (typeof argument !== 'boolean') throw new InvalidPatternError(at, 'exists takes true or false');
      return { presence: (present) => present === argument };
    }
  }
}

function stringOperator(name: 'prefix' | 'suffix', argument: unknown, path: string): (value: unknown) => boolean {
  const caseless = isPlainObject(argument) && Object.keys(argument).length === 1 && Object.hasOwn(argument, 'equals-ignore-case');
  const text = requireString(caseless ? argument['equals-ignore-case'] : argument, caseless ? `${path}.equals-ignore-case` : path);
  const wanted = caseless ? text.toLowerCase() : text;
  return (value) => {
    if (typeof value !== 'string') return false;
    const actual = caseless ? value.toLowerCase() : value;
    return name === 'prefix' ? actual.startsWith(wanted) : actual.endsWith(wanted);
  };
}

function ignoreCase(text: string): (value: unknown) => boolean {
  const wanted = text.toLowerCase();
  return (value) => typeof value === 'string' && value.toLowerCase() === wanted;
}

/** `*` is any run of characters; `\*` and `\\` are a literal star and backslash. */
function wildcard(text: string, path: string): (value: unknown) => boolean {
  const stars = [...text.replaceAll('\\\\', '').replaceAll('\\*', '')].filter((char) => char === '*').length;
  if (stars > MAX_WILDCARDS) throw new InvalidPatternError(path, `a wildcard value with ${stars} wildcards is too complex; use at most ${MAX_WILDCARDS}`);
  let source = '';
  for (let index = 0; index < text.length; index++) {
    const char = text[index] ?? '';
    if (char === '\\') {
      const next = text[index + 1];
      if (next !== '*' && next !== '\\') throw new InvalidPatternError(path, 'in a wildcard, a backslash escapes only * or \\');
      source += escapeRegExp(next);
      index++;
    } else if (char === '*') {
      if (text[index + 1] === '*') throw new InvalidPatternError(path, 'consecutive wildcard characters (**) are not allowed');
      source += '[\\s\\S]*';
    } else {
      source += escapeRegExp(char);
    }
  }
  const regex = new RegExp(`^${source}$`);
  return (value) => typeof value === 'string' && regex.test(value);
}

function anythingBut(argument: unknown, path: string): (value: unknown) => boolean {
  let excluded: (value: unknown) => boolean;
  if (typeof argument === 'string' || typeof argument === 'number') {
    excluded = (value) => value === argument;
  } else if (Array.isArray(argument)) {
    if (argument.length === 0) throw new InvalidPatternError(path, 'anything-but takes a non-empty list');
    const allStrings = argument.every((item) => typeof item === 'string');
    const allNumbers = argument.every((item) => typeof item === 'number');
    if (!allStrings && !allNumbers) throw new InvalidPatternError(path, 'an anything-but list holds only strings or only numbers');
    const list: unknown[] = argument;
    excluded = (value) => list.includes(value);
  } else if (isPlainObject(argument) && Object.keys(argument).length === 1) {
    const [name] = Object.keys(argument);
    const inner = name === undefined ? undefined : argument[name];
    const at = `${path}.${name ?? ''}`;
    switch (name) {
      case 'prefix':
      case 'suffix':
        // Inside anything-but, prefix and suffix take a non-empty string or a list of them (no
        // equals-ignore-case); EventBridge accepts the list form though the older guide said otherwise.
        excluded = anyOf(inner, at, (text, textPath) => {
          if (text === '') throw new InvalidPatternError(textPath, `anything-but ${name} takes non-empty strings`);
          return stringOperator(name, text, textPath);
        });
        break;
      case 'equals-ignore-case':
        excluded = anyOf(inner, at, ignoreCase);
        break;
      case 'wildcard':
        excluded = anyOf(inner, at, (text, textPath) => wildcard(text, textPath));
        break;
      default:
        throw new InvalidPatternError(path, 'anything-but takes a value, a list, or one of prefix, suffix, equals-ignore-case, wildcard');
    }
    // These forms only ever exclude strings: a number is "anything but" a prefix (EventBridge agrees).
    const stringExcluded = excluded;
    return (value) => !stringExcluded(value);
  } else {
    throw new InvalidPatternError(path, 'anything-but takes a string, a number, a list of them, or a prefix/suffix/equals-ignore-case/wildcard object');
  }
  return (value) => !excluded(value);
}

function anyOf(argument: unknown, path: string, make: (text: string, path: string) => (value: unknown) => boolean): (value: unknown) => boolean {
  const texts = Array.isArray(argument) ? argument : [argument];
  if (texts.length === 0) throw new InvalidPatternError(path, 'takes a string or a non-empty list of strings');
  const tests = texts.map((text, index) => {
    const at = Array.isArray(argument) ? `${path}[${index}]` : path;
    return make(requireString(text, at), at);
  });
  return (value) => tests.some((test) => test(value));
}

function numeric(argument: unknown, path: string): (value: unknown) => boolean {
  if (!Array.isArray(argument) || (argument.length !== 2 && argument.length !== 4)) {
    throw new InvalidPatternError(path, 'numeric takes [operator, number] or [lower operator, number, upper operator, number]');
  }
  const comparisons: Array<{ operator: string; bound: number }> = [];
  for (let index = 0; index < argument.length; index += 2) {
    const operator: unknown = argument[index];
    const bound: unknown = argument[index + 1];
    if (typeof operator !== 'string' || !NUMERIC_OPERATORS.has(operator)) throw new InvalidPatternError(`${path}[${index}]`, `an operator is one of ${[...NUMERIC_OPERATORS].join(' ')}`);
    if (typeof bound !== 'number' || !Number.isFinite(bound)) throw new InvalidPatternError(`${path}[${index + 1}]`, 'a bound must be a number');
    comparisons.push({ operator, bound });
  }
  const [first, second] = comparisons;
  if (second !== undefined && first !== undefined) {
    if (!first.operator.startsWith('>') || !second.operator.startsWith('<')) {
      throw new InvalidPatternError(path, 'a range is a lower bound (> or >=) then an upper bound (< or <=)');
    }
    if (first.bound >= second.bound) throw new InvalidPatternError(path, 'the lower bound must be below the upper bound');
  }
  return (value) => typeof value === 'number' && comparisons.every(({ operator, bound }) => compare(value, operator, bound));
}

function compare(value: number, operator: string, bound: number): boolean {
  switch (operator) {
    case '<':
      return value < bound;
    case '<=':
      return value <= bound;
    case '=':
      return value === bound;
    case '>':
      return value > bound;
    default:
      return value >= bound;
  }
}

function cidr(block: string, path: string): (value: unknown) => boolean {
  const match = /^(.+)\/(\d{1,3})$/.exec(block);
  const network = match === null ? undefined : parseIp(match[1] ?? '');
  const bits = Number(match?.[2]);
  if (network === undefined || bits > network.size * 8) throw new InvalidPatternError(path, 'cidr takes an IPv4 or IPv6 block such as 10.0.0.0/24');
  return (value) => {
    const address = typeof value === 'string' ? parseIp(value) : undefined;
    return address !== undefined && address.size === network.size && sameNetwork(address.bytes, network.bytes, bits);
  };
}

function parseIp(text: string): { bytes: number[]; size: 4 | 16 } | undefined {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (v4 !== null) {
    const bytes = v4.slice(1).map(Number);
    return bytes.every((byte) => byte <= 255) ? { bytes, size: 4 } : undefined;
  }
  if (!/^[0-9a-fA-F:]+$/.test(text) || !text.includes(':')) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string | undefined) => (part === undefined || part === '' ? [] : part.split(':'));
  const head = groups(halves[0]);
  const tail = groups(halves[1]);
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) return undefined;
  const all = [...head, ...Array.from({ length: halves.length === 2 ? missing : 0 }, () => '0'), ...tail];
  if (all.some((group) => group.length === 0 || group.length > 4)) return undefined;
  return { bytes: all.flatMap((group) => [Number.parseInt(group, 16) >> 8, Number.parseInt(group, 16) & 0xff]), size: 16 };
}

function sameNetwork(address: number[], network: number[], bits: number): boolean {
  for (let bit = 0; bit < bits; bit++) {
    const byte = Math.floor(bit / 8);
    const mask = 0x80 >> bit % 8;
    if (((address[byte] ?? 0) & mask) !== ((network[byte] ?? 0) & mask)) return false;
  }
  return true;
}

function requireString(value: unknown, path: string): string {
  if (typeof value !== 'string') throw new InvalidPatternError(path, 'takes a string');
  return value;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
