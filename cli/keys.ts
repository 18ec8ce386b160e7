/**
 * `npm run keys -- create --tenant acme` | `list` | `revoke --id <keyId>`
 *
 * Manages API keys in a deployed stack's table (AWS credentials from the usual places) or in the
 * local stack's DynamoDB: with no table and no endpoint named, the running local stack of the data
 * dir (`.runledger/stack.json`, or RUNLEDGER_DATA_DIR's) says where its DynamoDB and table are.
 * Only the key's SHA-256 is stored; `create` prints the key once and it cannot be shown again.
 */
import { makeDynamoDbClient } from '#adapters/dynamodb/client.ts';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbApiKeyStore } from '#adapters/dynamodb/dynamodb-api-key-store.ts';
import { generateApiKey, hashApiKey } from '#shared/auth/api-keys.ts';
import { TenantIdSchema } from '#shared/contract/ids.ts';
import { CommandError, UsageError } from './cli-io.ts';
import { parseCommandLine } from './command-line.ts';
import { runningStack, stackFilePath } from '#local/stack-file.ts';

const USAGE = `usage: runledger keys <create --tenant NAME | list | revoke --id KEY_ID> [--table NAME] [--region REGION] [--endpoint URL] [--data-dir DIR]
  --table     the events table (stack output TableName); default $RUNLEDGER_TABLE_NAME
  --region    default $AWS_REGION
  --endpoint  a DynamoDB endpoint such as the local stack's; default $RUNLEDGER_DYNAMODB_ENDPOINT
  --data-dir  with no table and no endpoint: the running local stack of this data dir; default $RUNLEDGER_DATA_DIR or .runledger`;

export async function runKeys(argv: string[], env: NodeJS.ProcessEnv, print: (line: string) => void): Promise<void> {
  const { positionals, values } = parseCommandLine(argv, {
    tenant: { type: 'string' },
    id: { type: 'string' },
    table: { type: 'string' },
    region: { type: 'string' },
    endpoint: { type: 'string' },
    'data-dir': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  const [command] = positionals;
  if (values.help === true) {
    print(USAGE);
    return;
  }
  if (command === undefined) throw new UsageError(`name a command: create, list or revoke\n${USAGE}`);
  const named = { tableName: nonEmpty(values.table ?? env.RUNLEDGER_TABLE_NAME), endpoint: nonEmpty(values.endpoint ?? env.RUNLEDGER_DYNAMODB_ENDPOINT) };
  const dataDir = values['data-dir'] ?? env.RUNLEDGER_DATA_DIR ?? '.runledger';
  const local = named.tableName === undefined && named.endpoint === undefined ? runningStack(dataDir) : undefined;
  if (local !== undefined) print(`(the local stack at ${local.url}, from ${stackFilePath(dataDir)})`);
  const tableName = named.tableName ?? local?.tableName;
  if (tableName === undefined) {
    throw new UsageError(`name the table: --table <TableName output of the stack> or RUNLEDGER_TABLE_NAME (no local stack is running with the data dir ${dataDir})`);
  }
  const endpoint = named.endpoint ?? local?.dynamoDbEndpoint;
  const client = makeDynamoDbClient({ region: values.region ?? env.AWS_REGION ?? 'us-east-1', endpoint });
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

function nonEmpty(value: string | undefined): string | undefined {
  return value === '' ? undefined : value;
}
