import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { makeEmfWriter } from '#adapters/metrics/emf-writer.ts';
import { part } from '../compose.ts';

/** EMF lines to stdout in Lambda (CloudWatch turns them into metrics), to RUNLEDGER_METRICS_FILE locally. */
export const metricsEmitterOf = /* @__PURE__ */ part(({ config }) => {
  const file = config.RUNLEDGER_METRICS_FILE;
  if (file === undefined) return makeEmfWriter((line) => process.stdout.write(`${line}\n`));
  mkdirSync(dirname(file), { recursive: true });
  return makeEmfWriter((line) => appendFileSync(file, `${line}\n`));
});
