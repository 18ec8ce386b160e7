import { loadConfig, type FunctionConfig } from './config.ts';
import { compose, type Clients, type Root } from './compose.ts';

/**
 * A Lambda entry's root: the environment parsed once (a bad key fails the cold start, named), and
 * the clients the entry makes for its function, and no others.
 */
export function lambdaRoot(makeClients: (config: FunctionConfig) => Clients): Root {
  const config = loadConfig(process.env);
  return compose(config, makeClients(config));
}
