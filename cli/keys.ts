/**
 * `npm run keys -- create --tenant acme [--scope read|write] [--expires-in 90d]` | `list` | `revoke --id <keyId>`
 *
 * Manages API keys in a deployed stack's table (`--stack NAME`, or `--table`; AWS credentials from
 * the usual places) or in the local stack's DynamoDB: with no stack, table or endpoint named, the
 * running local stack of the data dir (`.runledger/stack.json`, or RUNLEDGER_DATA_DIR's) says
 * where its DynamoDB and table are. Only the key's SHA-256 is stored; `create` prints the key once
 * and it cannot be shown again. A tenant may hold several keys at once (rotation).
 */
import { makeDynamoDbClient } from '#adapters/dynamodb/client.ts';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbApiKeyStore } from '#adapters/dynamodb/dynamodb-api-key-store.ts';
import { generateApiKey, hashApiKey } from '#shared/auth/api-keys.ts';
import { InvalidDurationError, parseExpiresIn } from '#shared/auth/expires-in.ts';
import { DEFAULT_KEY_SCOPE, isKeyScope } from '#shared/auth/scopes.ts';
import { TenantIdSchema } from '#shared/contract/ids.ts';
import { KEY_DEFAULTS } from '#shared/defaults.ts';
import type { ApiKeyRecord, KeyScope } from '#shared/ports.ts';
import { CommandError, UsageError } from './cli-io.ts';
import { parseCommandLine } from './command-line.ts';
import { flushAuthorizerCache, keyStackClients, readKeyStack, type KeyStack } from './keys-aws.ts';
import { runningStack, stackFilePath } from '#local/stack-file.ts';

const USAGE = `usage: runledger keys <create --tenant NAME [--scope write|read] [--expires-in 90d] | list | revoke --id KEY_ID> [--stack NAME | --table NAME] [--region REGION] [--endpoint URL] [--data-dir DIR]
  --scope       write (the default: ingest and read, for producers) or read (queries and streams, never ingest: dashboards, operators)
  --expires-in  the key stops working after this long: a whole number and d, h, m or s (90d, 12h); default never
  --stack       a deployed stack (CloudFormation name): its table, and on revoke its API's authorizer cache is flushed
  --table       the events table (stack output TableName); default $RUNLEDGER_TABLE_NAME
  --region      default $AWS_REGION
  --endpoint    a DynamoDB endpoint such as the local stack's; default $RUNLEDGER_DYNAMODB_ENDPOINT
  --data-dir    with no stack, table or endpoint: the running local stack of this data dir; default $RUNLEDGER_DATA_DIR or .runledger`;

/** The AWS clients of the `--stack` path; tests hand in clients answered in process. */
export type KeysAws = ReturnType<typeof keyStackClients>;

export async function runKeys(argv: string[], env: NodeJS.ProcessEnv, print: (line: string) => void, aws?: KeysAws): Promise<void> {
  const { positionals, values } = parseCommandLine(argv, {
    tenant: { type: 'string' },
    id: { type: 'string' },
    scope: { type: 'string' },
    'expires-in': { type: 'string' },
    stack: { type: 'string' },
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
  if (values.stack !== undefined && values.table !== undefined) throw new UsageError('name the stack or the table, not both: --stack reads the table from the stack');
  const region = values.region ?? env.AWS_REGION ?? 'us-east-1';
  const clients = values.stack === undefined ? undefined : (aws ?? keyStackClients(region));
  const deployed = values.stack === undefined || clients === undefined ? undefined : await readKeyStack(clients.cloudFormation, values.stack);
  const named = { tableName: deployed?.TableName ?? nonEmpty(values.table ?? env.RUNLEDGER_TABLE_NAME), endpoint: nonEmpty(values.endpoint ?? env.RUNLEDGER_DYNAMODB_ENDPOINT) };
  const dataDir = values['data-dir'] ?? env.RUNLEDGER_DATA_DIR ?? '.runledger';
  const local = named.tableName === undefined && named.endpoint === undefined ? runningStack(dataDir) : undefined;
  if (local !== undefined) print(`(the local stack at ${local.url}, from ${stackFilePath(dataDir)})`);
  const tableName = named.tableName ?? local?.tableName;
  if (tableName === undefined) {
    throw new UsageError(`name the stack or the table: --stack <CloudFormation stack>, --table <TableName output of the stack> or RUNLEDGER_TABLE_NAME (no local stack is running with the data dir ${dataDir})`);
  }
  const endpoint = named.endpoint ?? local?.dynamoDbEndpoint;
  const client = makeDynamoDbClient({ region, endpoint });
  const keys = new DynamoDbApiKeyStore({ client: DynamoDBDocumentClient.from(client), tableName });
  try {
    switch (command) {
      case 'create': {
        const tenant = TenantIdSchema.safeParse(values.tenant ?? '');
        if (!tenant.success) throw new UsageError('--tenant must be 1-64 characters of letters, digits, ".", "_" or "-"');
        const scope = scopeOption(values.scope);
        const expiresAt = expiryOption(values['expires-in']);
        const key = generateApiKey();
        const record = await keys.saveKey(hashApiKey(key), { tenant: tenant.data, scope, ...(expiresAt === undefined ? {} : { expiresAt }) });
        print(`created ${record.scope} key ${record.keyId} for tenant "${record.tenant}" (${expiryText(record, Date.now())}). It is shown once; store it now:`);
        print(key);
        return;
      }
      case 'list': {
        const now = Date.now();
        for (const record of await keys.listKeys()) print(`${record.keyId}  ${record.tenant.padEnd(24)}  ${record.scope.padEnd(5)}  created ${record.createdAt}  ${expiryText(record, now)}`);
        return;
      }
      case 'revoke': {
        if (values.id === undefined || !/^[0-9a-f]{6,64}$/.test(values.id)) throw new UsageError('--id must be a key id as `list` shows it');
        const revoked = await keys.revokeKey(values.id);
        if (!revoked) throw new CommandError(`no key with id ${values.id}`);
        if (deployed !== undefined && clients !== undefined) await flushAuthorizerCache(clients.apiGateway, deployed);
        print(`revoked ${values.id}; ${revocationText(deployed, local !== undefined || endpoint !== undefined)}`);
        return;
      }
      default:
        throw new UsageError(`unknown command '${command}'\n${USAGE}`);
    }
  } finally {
    client.destroy();
  }
}

function revocationText(deployed: KeyStack | undefined, local: boolean): string {
  if (deployed !== undefined) {
    return `flushed the authorizer cache of API ${deployed.RestApiId} stage ${deployed.StageName}: callers still holding the key are refused within the authorizer's own cache time (keyCacheSeconds, ${KEY_DEFAULTS.keyCacheSeconds} s by default)`;
  }
  if (local) return 'callers still holding it are refused at once (the local authorizer reads keys on every call)';
  return `API Gateway may answer from its authorizer cache for up to authorizerCacheSeconds (${KEY_DEFAULTS.authorizerCacheSeconds} s by default): name the stack (--stack NAME) to flush it`;
}

function scopeOption(scope: string | undefined): KeyScope {
  if (scope === undefined) return DEFAULT_KEY_SCOPE;
  if (!isKeyScope(scope)) throw new UsageError(`--scope must be write or read; got '${scope}'`);
  return scope;
}

function expiryOption(expiresIn: string | undefined): Date | undefined {
  if (expiresIn === undefined) return undefined;
  try {
    return new Date(Date.now() + parseExpiresIn(expiresIn) * 1000);
  } catch (error: unknown) {
    if (error instanceof InvalidDurationError) throw new UsageError(`--expires-in ${error.message}`, { cause: error });
    throw error;
  }
}

function expiryText(record: ApiKeyRecord, now: number): string {
  if (record.expiresAt === undefined) return 'never expires';
  return `${record.expiresAt.getTime() <= now ? 'EXPIRED' : 'expires'} ${record.expiresAt.toISOString()}`;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === '' ? undefined : value;
}
