import { runDlq } from '../dlq.ts';
import { runKeys } from '../keys.ts';
import { EXIT_OK, type Command } from '../cli-io.ts';

/** `npm run dlq` as a subcommand: the same code, the same arguments. */
export const dlqCommand: Command = {
  name: 'dlq',
  summary: 'dead letters of the local bus: dlq list | dlq redrive',
  run: async (argv, env, io) => {
    await runDlq(argv, env, io.out);
    return EXIT_OK;
  },
};

/** `npm run keys` as a subcommand: the same code, the same arguments. */
export const keysCommand: Command = {
  name: 'keys',
  summary: 'API keys in the table: keys create --tenant T | list | revoke --id ID',
  run: async (argv, env, io) => {
    await runKeys(argv, env, io.out);
    return EXIT_OK;
  },
};
