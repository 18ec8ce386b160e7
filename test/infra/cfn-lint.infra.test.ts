import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildApp } from '#infra/app.ts';
import { context } from './support.ts';

// cfn-lint is the CloudFormation team's own linter (Python; preinstalled on these machines, and
// `.ci/run` installs it where it is not). The committed config names every check it ignores, and why.
const CONFIG = join(process.cwd(), '.cfnlintrc.yaml');

const FindingsSchema = z.array(
  z.object({
    Level: z.string(),
    Message: z.string(),
    Rule: z.object({ Id: z.string() }),
    Location: z.object({ Path: z.array(z.union([z.string(), z.number()])).optional() }).optional(),
  }),
);

/** Every finding cfn-lint reports on the template (errors, warnings, informational), as `W1234 path: message`. */
function lint(templatePath: string): string[] {
  const result = spawnSync('cfn-lint', ['--config-file', CONFIG, '--format', 'json', '--non-zero-exit-code', 'none', '--', templatePath], { encoding: 'utf8', timeout: 120_000 });
  // Missing cfn-lint fails here, never passes quietly: npm test on a machine without it is not a green run.
  if (result.error !== undefined) throw new Error(`cannot run cfn-lint (pip install cfn-lint, or run .ci/run): ${result.error.message}`);
  expect(result.status, result.stderr).toBe(0);
  return FindingsSchema.parse(JSON.parse(result.stdout)).map((finding) => `${finding.Rule.Id} ${(finding.Location?.Path ?? []).join('/')}: ${finding.Message}`);
}

/** Synthesizes the app as `cdk synth` does (cdk-nag included) into a temp dir; the stack's template path. */
function synthesizeTo(overrides: Record<string, unknown>): string {
  const outdir = mkdtempSync(join(tmpdir(), 'runledger-cfn-lint-'));
  const app = new App({ outdir, context: context(overrides) });
  const { stack } = buildApp(app);
  app.synth();
  return join(outdir, stack.templateFile);
}

describe('cfn-lint on the synthesized template', () => {
  // One synthesis (bundling every function) for the default stack plus the options that add
  // resources: the alert email's subscription and the webhook secret's grant.
  it('reports nothing on the stack, with the alert email and webhook secret set', () => {
    expect(lint(synthesizeTo({ stage: 'prod', alertEmail: 'ops@example.com', alertWebhookSecretName: 'runledger/alerts' }))).toEqual([]);
  }, 300_000);

  it('is really checking: a template with a mistyped property is reported', () => {
    const dir = mkdtempSync(join(tmpdir(), 'runledger-cfn-lint-'));
    const path = join(dir, 'bad.template.json');
    writeFileSync(path, JSON.stringify({ Resources: { Queue: { Type: 'AWS::SQS::Queue', Properties: { VisibilityTimeout: 'soon' } } } }));
    expect(lint(path)).toEqual([expect.stringMatching(/^E3012 Resources\/Queue\/Properties\/VisibilityTimeout: /)]);
  });
});
