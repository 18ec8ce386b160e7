import { DescribeStacksCommand, type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { z } from 'zod';

/** A deployed stack lacks outputs a command reads (deployed by an older version of runledger). */
export class MissingStackOutputsError extends Error {
  override readonly name = 'MissingStackOutputsError';
}

/** The outputs of a deployed stack that a command reads, parsed by its schema, naming each missing one. */
export async function readOutputs<S extends z.ZodType>(cloudFormation: CloudFormationClient, stackName: string, schema: S): Promise<z.output<S>> {
  const { Stacks: stacks = [] } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
  const outputs: Record<string, string | undefined> = {};
  for (const output of stacks[0]?.Outputs ?? []) if (output.OutputKey !== undefined) outputs[output.OutputKey] = output.OutputValue;
  const parsed = schema.safeParse(outputs);
  if (!parsed.success) {
    throw new MissingStackOutputsError(`stack ${stackName} lacks the outputs this command reads (deployed before them?): ${parsed.error.issues.map((issue) => issue.path.join('.')).join(', ')}`);
  }
  return parsed.data;
}
