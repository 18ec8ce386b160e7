import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareStep, parseVariables, sectionOf, walkScript, walkSteps, type WalkStep } from '#test/support/walkthrough.ts';

const PAGE = [
  '# A page',
  '## Quick start',
  'Some prose.',
  '```bash',
  'RUN=qs-42',
  'echo "{\\"runId\\":\\"$RUN\\",\\"seq\\":1,\\"receivedAt\\":\\"2026-12-01T20:01:02.345Z\\"} 202"',
  '# → {"runId":"$RUN","seq":1,',
  '#      "receivedAt":"<time>"} 202',
  'printf "a\\n\\nb\\n"',
  '# → a',
  '# →',
  '# → b',
  '```',
  '```text',
  'not run',
  '```',
  '## Next',
  '```bash',
  'echo elsewhere',
  '```',
].join('\n');

function stepsOfPage(page: string): WalkStep[] {
  const { text, firstLine } = sectionOf(page, 'Quick start');
  return walkSteps(text, firstLine);
}

/** Runs the steps in one bash process, as the README test does, and compares each. */
function walk(steps: readonly WalkStep[]): Array<string | undefined> {
  const dir = mkdtempSync(join(tmpdir(), 'walk-'));
  writeFileSync(join(dir, 'walk.sh'), walkScript(steps, dir));
  const result = spawnSync('bash', [join(dir, 'walk.sh')], { encoding: 'utf8' });
  expect(result.status).toBe(0);
  return steps.map((step, index) =>
    compareStep(
      step,
      readFileSync(join(dir, `${index}.out`), 'utf8'),
      Number(readFileSync(join(dir, `${index}.status`), 'utf8')),
      parseVariables(readFileSync(join(dir, `${index}.vars`), 'utf8')),
    ),
  );
}

describe('reading a walkthrough from markdown', () => {
  it('takes the bash blocks of the section only, a step is the commands up to the output shown after them', () => {
    const steps = stepsOfPage(PAGE);
    expect(steps.map((step) => [step.line, step.expected])).toEqual([
      [5, ['{"runId":"$RUN","seq":1,"receivedAt":"<time>"} 202']],
      [9, ['a', '', 'b']],
    ]);
    expect(steps[0]?.command).toBe('RUN=qs-42\necho "{\\"runId\\":\\"$RUN\\",\\"seq\\":1,\\"receivedAt\\":\\"2026-12-01T20:01:02.345Z\\"} 202"');
  });

  it('refuses output shown before any command', () => {
    expect(() => walkSteps('```bash\n# → 1\n```')).toThrow(/output shown with no command/);
  });
});

describe('comparing what the commands print with what the page shows', () => {
  it('passes a page whose output matches, with variables carried over between steps and placeholders widened', () => {
    expect(walk(stepsOfPage(PAGE))).toEqual([undefined, undefined]);
  });

  it('fails on a deliberately wrong expected line, naming the step and the line', () => {
    const wrong = PAGE.replace('"seq":1,\n#', '"seq":2,\n#');
    const results = walk(stepsOfPage(wrong));
    expect(results[0]).toMatch(/step at line 5 .*output line 1 differs/);
    expect(results[0]).toContain('printed:    {"runId":"qs-42","seq":1,"receivedAt":"2026-12-01T20:01:02.345Z"} 202');
    expect(results[1]).toBeUndefined();
  });

  it('fails when a variable the output names has another value, or when output is missing or extra', () => {
    const steps: WalkStep[] = [
      { line: 1, command: 'RUN=other; echo qs-42', expected: ['$RUN'] },
      { line: 2, command: 'echo one', expected: ['one', 'two'] },
      { line: 3, command: 'echo surprise', expected: [] },
    ];
    const [variable, missing, extra] = walk(steps);
    expect(variable).toMatch(/output line 1 differs/);
    expect(missing).toMatch(/output line 2 differs[\s\S]*printed: {4}\(nothing\)/);
    expect(extra).toMatch(/page shows: \(nothing\)/);
  });

  it('fails a step that exits with a non-zero status even when its output matches', () => {
    const [result] = walk([{ line: 1, command: 'echo ok; false', expected: ['ok'] }]);
    expect(result).toMatch(/exited with status 1/);
  });

  it('accepts only timestamps for <time> and only digits for <n>', () => {
    const [time, number] = walk([
      { line: 1, command: 'echo at yesterday', expected: ['at <time>'] },
      { line: 2, command: 'echo 12a', expected: ['<n>'] },
    ]);
    expect(time).toMatch(/differs/);
    expect(number).toMatch(/differs/);
  });
});
