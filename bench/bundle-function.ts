import type { BuildOptions } from 'esbuild';
import { HANDLER_NAMES } from '#functions/routes.ts';
import { BUNDLING, traceCallsDefine } from '#infra/constructs/handler-function.ts';

/** Every function behind API Gateway: the route table's handlers and the authorizer in front of them. */
export const API_FUNCTIONS: readonly string[] = [...HANDLER_NAMES, 'authorize'];

/** Issue 13 item 9's targets for an API function: its bundle, and the module init of a cold start. */
export const BUNDLE_BUDGET_BYTES = 250 * 1024;
export const INIT_BUDGET_MS = 60;

/** The esbuild options CDK's NodejsFunction derives from BUNDLING, for one function's handler.ts (calls untraced, the default). */
export function bundleFunction(name: string, { traceCalls = false } = {}): BuildOptions {
  return {
    entryPoints: [`functions/${name}/handler.ts`],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: BUNDLING.target,
    minify: BUNDLING.minify,
    mainFields: [...BUNDLING.mainFields],
    external: [...BUNDLING.externalModules],
    banner: { js: BUNDLING.banner },
    define: traceCallsDefine(traceCalls),
    logLevel: 'error',
  };
}
