import { useState } from 'react';
import type { ApiClient } from '../api/client.ts';
import { formatTime } from '../view/format.ts';

/** Makes a read-only link to this run (a day by default) and shows it, ready to copy. */
export function ShareButton({ client, runId }: { readonly client: ApiClient; readonly runId: string }) {
  const [link, setLink] = useState<{ url: string; expiresAt: string } | undefined>();
  const [error, setError] = useState<string | undefined>();
  const share = async () => {
    try {
      const answer = await client.share(runId, 86_400);
      setLink({ url: answer.url ?? `${window.location.origin}${window.location.pathname}#/runs/${encodeURIComponent(runId)}?token=${encodeURIComponent(answer.token)}`, expiresAt: answer.expiresAt });
      setError(undefined);
    } catch (caught: unknown) {
      setError(caught instanceof Error ? caught.message : 'the link could not be made');
    }
  };
  return (
    <div className="share">
      <button type="button" onClick={() => void share()}>
        Share read-only link
      </button>
      {link === undefined ? null : (
        <p>
          <label htmlFor="share-url">Link (works until {formatTime(link.expiresAt)}):</label>{' '}
          <input id="share-url" readOnly value={link.url} onFocus={(event) => event.target.select()} />
        </p>
      )}
      {error === undefined ? null : (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </div>
  );
}
