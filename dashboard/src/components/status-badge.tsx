/** A status as a coloured word: colour is never the only cue (the word is always there). */
export function StatusBadge({ status }: { readonly status: string }) {
  return <span className={`badge status-${status}`}>{status.replace('_', ' ')}</span>;
}
