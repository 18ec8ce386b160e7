import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { makeDynamoDbClient } from '#adapters/dynamodb/client.ts';

/** Whether a TCP connection to host:port is accepted: 'connected', or the error code. */
function tryConnect(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 3_000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve('ETIMEDOUT');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

describe('DynamoDB Local as startDynamoDbLocal runs it (the one global setup started)', () => {
  const endpoint = inject('dynamoDbEndpoint');
  const port = Number(new URL(endpoint).port);

  it('answers on 127.0.0.1', async () => {
    const client = makeDynamoDbClient({ endpoint });
    await expect(client.send(new ListTablesCommand({ Limit: 1 }))).resolves.toHaveProperty('TableNames');
    client.destroy();
  });

  it("refuses connections on this machine's other addresses (it accepts any credentials, so it must not be reachable)", async () => {
    const external = Object.values(networkInterfaces())
      .flat()
      .filter((address) => address !== undefined && !address.internal && address.family === 'IPv4')
      .map((address) => address?.address);
    expect(external, 'this test needs a non-loopback IPv4 address on the machine (hostname -I)').not.toHaveLength(0);
    for (const address of external) {
      if (address !== undefined) expect(await tryConnect(address, port)).toBe('ECONNREFUSED');
    }
  });
});
