import { createServer } from 'node:net';

/**
 * Listens on 127.0.0.1:port and lets go again, rejecting with Node's own EADDRINUSE error when the
 * port is taken: asked before DynamoDB Local starts, so a taken port is said in milliseconds, not
 * after seconds of start-up. Port 0 (any free port) cannot be taken and is not asked.
 */
export function assertPortFree(port: number): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}
