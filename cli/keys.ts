/**
 * `npm run keys -- create --tenant acme` | `list` | `revoke --id <keyId>`
 *
 * Manages API keys in a deployed stack's table (AWS credentials from the usual places) or in the
 * local stack's DynamoDB (`--endpoint`). Only the key's SHA-256 is stored; `create` prints the key
 * once and it cannot be shown again.
 */
import { makeDynamoDbClient } from '#adapters/dynamodb/client.ts';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbApiKeyStore } from '#adapters/dynamodb/dynamodb-api-key-store.ts';
import { generateApiKey, hashApiKey } from '#shared/auth/api-keys.ts';
import { TenantIdSchema } from '#shared/contract/ids.ts';
import { CommandError, UsageError } from './cli-io.ts';
import { parseCommandLine } from './command-line.ts';

const USAGE = `usage: runledger keys <create --tenant NAME | list | revoke --id KEY_ID> [--table NAME] [--region REGION] [--endpoint URL]
  --table     the events table (stack output TableName); default $RUNLEDGER_TABLE_NAME
  --region    default $AWS_REGION
  --endpoint  a DynamoDB endpoint such as the local stack's; default $RUNLEDGER_DYNAMODB_ENDPOINT`;

export async function runKeys(argv: string[], env: NodeJS.ProcessEnv, print: (line: string) => void): Promise<void> {
  const { positionals, values } = parseCommandLine(argv, {
    tenant: { type: 'string' },
    id: { type: 'string' },
    table: { type: 'string' },
    region: { type: 'string' },
    endpoint: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  const [command] = positionals;
  if (values.help === true) {
    print(USAGE);
    return;
  }
  if (command === undefined) throw new UsageError(`name a command: create, list or revoke\n${USAGE}`);
  const tableName = values.table ?? env.RUNLEDGER_TABLE_NAME;
  if (tableName === undefined || tableName === '') throw new UsageError('name the table: --table <TableName output of the stack> or RUNLEDGER_TABLE_NAME');
  const endpoint = values.endpoint ?? env.RUNLEDGER_DYNAMODB_ENDPOINT;
  const client = makeDynamoDbClient({ region: values.region ?? env.AWS_REGION ?? 'us-east-1', endpoint: endpoint === '' ? undefined : endpoint });
  const keys = new DynamoDbApiKeyStore({ client: DynamoDBDocumentClient.from(client), tableName });
  try {
    switch (command) {
      case 'create': {
        const tenant = TenantIdSchema.safeParse(values.tenant ?? '');
        if (!tenant.success) throw new UsageError('--tenant must be 1-64 characters of letters, digits, ".", "_" or "-"');
        const key = generateApiKey();
        const record = await keys.saveKey(hashApiKey(key), tenant.data);
        print(`created key ${record.keyId} for tenant "${record.tenant}". It is shown once; store it now:`);
        print(key);
        return;
      }
      case 'list':
        for (const record of await keys.listKeys()) print(`${record.keyId}  ${record.tenant.padEnd(24)}  ${record.createdAt}`);
        return;
      case 'revoke': {
        if (values.id === undefined || !/^[0-9a-f]{6,64}$/.test(values.id)) throw new UsageError('--id must be a key id as `list` shows it');
        const revoked = await keys.revokeKey(values.id);
        if (!revoked) throw new CommandError(`no key with id ${values.id}`);
        print(`revoked ${values.id}; callers still holding it are refused within the authorizer cache time (5 minutes at most)`);
        return;
      }
      default:
        throw new UsageError(`unknown command '${command}'\n${USAGE}`);
    }
  } finally {
    client.destroy();
  }
}

