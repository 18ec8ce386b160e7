/** The subscribed function failed on an event: its own error, as Lambda reports it. */
export class ObserverFailedError extends Error {
  override readonly name = 'ObserverFailedError';
}

export type InvokeAnswer = { readonly StatusCode?: number; readonly FunctionError?: string; readonly Payload?: Uint8Array };

/**
 * One synchronous invoke with the event as the payload. Lambda answers 200 even when the function
 * threw: the error is in FunctionError and the payload, so both are checked.
 */
export async function invokeObserver(invoke: (payload: Uint8Array) => Promise<InvokeAnswer>, event: unknown): Promise<void> {
  const answer = await invoke(new TextEncoder().encode(JSON.stringify(event)));
  if (answer.FunctionError !== undefined) {
    const detail = answer.Payload === undefined ? '' : new TextDecoder().decode(answer.Payload).slice(0, 1000);
    throw new ObserverFailedError(`the observer failed (${answer.FunctionError}): ${detail}`);
  }
  if (answer.StatusCode !== undefined && (answer.StatusCode < 200 || answer.StatusCode > 299)) throw new ObserverFailedError(`the observer's invoke answered ${answer.StatusCode}`);
}
