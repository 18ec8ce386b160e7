import { useState, type FormEvent } from 'react';
import { ApiError, makeApiClient } from '../api/client.ts';

/** The API key form: the key is checked against `/v1/stats` before it is kept. */
export function SignIn({ baseUrl, onSignedIn }: { readonly baseUrl: string; readonly onSignedIn: (key: string) => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [checking, setChecking] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const trimmed = key.trim();
    if (trimmed === '') return setError('Enter an API key.');
    setChecking(true);
    setError(undefined);
    try {
      await makeApiClient(baseUrl, { kind: 'key', value: trimmed }).stats();
      onSignedIn(trimmed);
    } catch (caught: unknown) {
      setError(signInMessage(caught));
    } finally {
      setChecking(false);
    }
  };
  return (
    <form className="card sign-in" onSubmit={(event) => void submit(event)} aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">Sign in</h1>
      <label htmlFor="api-key">API key</label>
      <input id="api-key" name="api-key" type="password" autoComplete="off" spellCheck={false} value={key} onChange={(event) => setKey(event.target.value)} aria-describedby="api-key-help" />
      <p id="api-key-help" className="muted">
        Kept in this tab only (session storage). <code>npm start</code> prints a development key; <code>npm run keys -- create</code> makes more.
      </p>
      {error === undefined ? null : (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <button type="submit" disabled={checking}>
        {checking ? 'Checking…' : 'Sign in'}
      </button>
    </form>
  );
}

function signInMessage(error: unknown): string {
  if (error instanceof ApiError && error.status === 401) return 'That API key was not accepted: it is unknown, revoked or expired.';
  if (error instanceof ApiError) return `The API refused the key: ${error.message}`;
  return 'The API could not be reached. Is it running?';
}
