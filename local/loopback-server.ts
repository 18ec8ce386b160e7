import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type LoopbackEndpoint = { readonly endpoint: string; close(): Promise<void> };

/**
 * Listens on a free port of 127.0.0.1 only (the local stack's internal endpoints are never
 * reachable from another machine); `close` also ends kept-alive connections, so a stop is prompt.
 */
export async function listenOnLoopback(server: Server): Promise<LoopbackEndpoint> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
