/**
 * Reads a markdown walkthrough (README's Quick start, docs/http-api.md) as a script with its
 * expected output, and compares what the commands printed with what the page shows.
 *
 * The convention, as the pages state it:
 * - Only ```bash blocks run, in page order, all in one shell (variables and `cd` carry over).
 * - A step is one or more command lines followed by the output it prints: `# → text` is one
 *   line of output (`# →` alone an empty line); a line `#   text` right after one continues it
 *   (joined with no separator: wrap long JSON after a comma). A step with no `# →` line prints
 *   nothing.
 * - In expected output, `$NAME` is the value the shell variable NAME has after the step,
 *   `<time>` any RFC 3339 timestamp (server clocks differ), `<n>` any whole number.
 * - Every step must exit with status 0.
 */

export type WalkStep = {
  /** Where the step starts in the markdown, 1-based, for failure messages. */
  readonly line: number;
  readonly command: string;
  /** Expected output lines, placeholders not yet resolved; empty: prints nothing. */
  readonly expected: readonly string[];
};

const OUTPUT = /^# →(?: (.*))?$/;
const CONTINUATION = /^# {3,}(\S.*)$/;
const VARIABLE = /\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g;
const TIMESTAMP = '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:\\.\\d+)?(?:Z|[+-]\\d{2}:\\d{2})';

/** The lines of one `## heading` section (heading excluded), or the whole page when no heading is given. */
export function sectionOf(markdown: string, heading?: string): { text: string; firstLine: number } {
  const lines = markdown.split('\n');
  if (heading === undefined) return { text: markdown, firstLine: 1 };
  const start = lines.findIndex((line) => line.trim() === `## ${heading}`);
  if (start < 0) throw new Error(`no "## ${heading}" section`);
  const end = lines.findIndex((line, index) => index > start && /^## /.test(line));
  return { text: lines.slice(start + 1, end < 0 ? undefined : end).join('\n'), firstLine: start + 2 };
}

/** The steps of every ```bash block in the text, in order. */
export function walkSteps(text: string, firstLine = 1): WalkStep[] {
  const steps: WalkStep[] = [];
  let inBash = false;
  let command: string[] = [];
  let expected: string[] = [];
  let startLine = 0;
  const finish = () => {
    if (command.some((line) => line.trim() !== '')) steps.push({ line: startLine, command: command.join('\n'), expected });
    else if (expected.length > 0) throw new Error(`line ${startLine}: output shown with no command before it`);
    command = [];
    expected = [];
  };
  text.split('\n').forEach((line, index) => {
    const lineNumber = firstLine + index;
    if (!inBash) {
      if (line.trim() === '```bash') inBash = true;
      return;
    }
    if (line.trim() === '```') {
      finish();
      inBash = false;
      return;
    }
    const output = OUTPUT.exec(line);
    const continuation = expected.length > 0 ? CONTINUATION.exec(line) : null;
    if (output !== null) expected.push(output[1] ?? '');
    else if (continuation !== null) expected[expected.length - 1] += continuation[1] ?? '';
    else {
      if (expected.length > 0) finish();
      if (command.length === 0) startLine = lineNumber;
      command.push(line);
    }
  });
  if (inBash) throw new Error('a ```bash block is not closed');
  return steps;
}

/** The shell variables a step's expected output refers to. */
export function variablesOf(step: WalkStep): string[] {
  return [...new Set(step.expected.flatMap((line) => [...line.matchAll(VARIABLE)].map((match) => match[1] ?? '')))];
}

/**
 * One bash script running every step in this shell (not a subshell, so state carries over), each
 * step's output, exit status and variables written to files under `dir`.
 */
export function walkScript(steps: readonly WalkStep[], dir: string): string {
  return steps
    .map((step, index) => {
      const vars = variablesOf(step).map((name) => `printf '%s=%s\\n' '${name}' "\${${name}-}"`);
      return [
        `{`,
        step.command,
        `} > '${dir}/${index}.out' 2>&1`,
        `echo $? > '${dir}/${index}.status'`,
        `{ ${vars.length === 0 ? ':' : vars.join('; ')}; } > '${dir}/${index}.vars'`,
      ].join('\n');
    })
    .join('\n');
}

/** Parses the `NAME=value` lines walkScript wrote. */
export function parseVariables(text: string): Map<string, string> {
  const variables = new Map<string, string>();
  for (const line of text.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) variables.set(line.slice(0, at), line.slice(at + 1));
  }
  return variables;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** One expected line as a regular expression: variables substituted, placeholders widened. */
function linePattern(line: string, variables: ReadonlyMap<string, string>): RegExp {
  const parts = line.split(/(<time>|<n>|\$\{?[A-Za-z_][A-Za-z0-9_]*\}?)/);
  const source = parts
    .map((part) => {
      if (part === '<time>') return TIMESTAMP;
      if (part === '<n>') return '\\d+';
      const variable = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/.exec(part);
      if (variable !== null) {
        const value = variables.get(variable[1] ?? '');
        if (value === undefined) throw new Error(`no value for $${variable[1] ?? ''}`);
        return escapeRegExp(value);
      }
      return escapeRegExp(part);
    })
    .join('');
  return new RegExp(`^${source}$`);
}

/** Output lines as compared: trailing spaces and trailing empty lines do not count. */
export function outputLines(output: string): string[] {
  const lines = output.split('\n').map((line) => line.trimEnd());
  while (lines.length > 0 && lines.at(-1) === '') lines.pop();
  return lines;
}

/**
 * Compares a step's output with what the page shows. Undefined when they agree; otherwise a
 * message naming the step's line and the first line that differs.
 */
export function compareStep(step: WalkStep, output: string, status: number, variables: ReadonlyMap<string, string>): string | undefined {
  const actual = outputLines(output);
  const where = `step at line ${step.line} (${step.command.split('\n')[0] ?? ''})`;
  if (status !== 0) return `${where} exited with status ${status}:\n${actual.join('\n')}`;
  const length = Math.max(actual.length, step.expected.length);
  for (let index = 0; index < length; index++) {
    const expectedLine = step.expected[index];
    const actualLine = actual[index];
    if (expectedLine === undefined || actualLine === undefined || !linePattern(expectedLine, variables).test(actualLine)) {
      return [
        `${where}: output line ${index + 1} differs`,
        `  page shows: ${expectedLine === undefined ? '(nothing)' : expectedLine}`,
        `  printed:    ${actualLine === undefined ? '(nothing)' : actualLine}`,
        `whole output:\n${actual.join('\n')}`,
      ].join('\n');
    }
  }
  return undefined;
}
