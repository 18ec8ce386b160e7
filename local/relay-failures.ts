import { FileFailedPublishStore } from '#adapters/file/file-failed-publish-store.ts';
import type { Root } from '#functions/runtime/compose.ts';
import { failedPublishStoreOf, publisherOf } from '#functions/runtime/parts/publishing.ts';
import { eventStoreOf } from '#functions/runtime/parts/stores.ts';
import type { FailedPublish, KeptFailedPublish } from '#shared/ports.ts';
import { seqRange } from '#shared/relay/failed-publish.ts';
import { makeRedriveRelayFailures } from '#shared/relay/redrive-relay-failures.ts';
import type { RedriveResult } from './bus/local-bus.ts';
import type { RelayFailuresRedriver } from './handlers.ts';
import { localLambdaContext } from './lambda-context.ts';

/** A kept relay failure as the admin route lists it: its file name is its id. */
export type RelayFailureListing = FailedPublish & { readonly id: string };

/** The scheduled function's timeout in AWS: a local pass gets the same budget. */
const PASS_TIMEOUT_MS = 120_000;

/**
 * The local stack's relay failures (one file each under `<dataDir>/relay-failures/`): listed and
 * redriven for one tenant by the admin routes, and redriven for all by the stack's timer through
 * the same handler the schedule runs in AWS. Passes run one at a time, so a pass never finds a
 * failure held by another (the file store hands a failure out once per pass).
 */
export function makeLocalRelayFailures({ root, dir, scheduled }: { root: Root; dir: string; scheduled: RelayFailuresRedriver }) {
  const files = new FileFailedPublishStore({ dir });
  const failures = failedPublishStoreOf(root);
  if (failures === undefined) throw new Error('the local stack keeps relay failures in files: RUNLEDGER_RELAY_FAILURES_DIR must be set');
  let passes: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(job: () => Promise<T>): Promise<T> => {
    const pass = passes.then(job);
    passes = pass.catch(() => undefined);
    return pass;
  };
  const isTenants = (tenant: string) => (kept: KeptFailedPublish) => kept.failure.tenant === tenant;

  return {
    list(tenant: string): RelayFailureListing[] {
      return files.list().filter(isTenants(tenant)).map(({ handle, failure }) => ({ id: handle, ...failure }));
    },

    /** The tenant's failures (or the one with this id) published again, one line each: `n of m republished|failed again: ...`. */
    redrive(tenant: string, id?: string): Promise<RedriveResult> {
      return exclusive(async () => {
        const which = (kept: KeptFailedPublish) => isTenants(tenant)(kept) && (id === undefined || kept.handle === id);
        const total = files.list().filter(which).length;
        const lines: string[] = [];
        const redrive = makeRedriveRelayFailures({
          failures,
          store: eventStoreOf(root),
          publisher: publisherOf(root),
          onProgress: (_done, _total, failure, outcome, reason) => {
            const what = `relay ${failure.tenant}/${failure.runId} seqs ${seqRange(failure.seqs)}`;
            lines.push(`${lines.length + 1} of ${Math.max(total, lines.length + 1)} ${outcome === 'redriven' ? `republished: ${what}` : `failed again: ${what}: ${reason ?? 'unknown'}`}`);
          },
        });
        const result = await redrive({ which });
        return { delivered: result.redriven, failed: result.failed, lines };
      });
    },

    /** One pass over every tenant's failures, as the schedule runs it in AWS. */
    scheduledPass(time: string) {
      return exclusive(() => scheduled({ time }, localLambdaContext('runledger-redrive-relay-failures', PASS_TIMEOUT_MS)));
    },

    /** Resolves once no pass is running (the stack stops after it). */
    idle(): Promise<unknown> {
      return passes;
    },
  };
}
