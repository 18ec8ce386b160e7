import { useMemo, useState } from 'react';
import { makeApiClient } from '../api/client.ts';
import { forgetApiKey, savedApiKey, saveApiKey } from '../session.ts';
import { useLocation } from '../use-location.ts';
import { RunPage } from './run-page.tsx';
import { RunsPage } from './runs-page.tsx';
import { SignIn } from './sign-in.tsx';

/** Picks the screen: a share link's run, the sign-in form, the runs, or a run. */
export function App({ baseUrl }: { readonly baseUrl: string }) {
  const location = useLocation();
  const [apiKey, setApiKey] = useState(savedApiKey);
  const { shareToken, route } = location;
  const client = useMemo(() => {
    if (shareToken !== undefined) return makeApiClient(baseUrl, { kind: 'share', value: shareToken });
    return apiKey === undefined ? undefined : makeApiClient(baseUrl, { kind: 'key', value: apiKey });
  }, [baseUrl, apiKey, shareToken]);
  const signOut = () => {
    forgetApiKey();
    setApiKey(undefined);
  };

  if (shareToken !== undefined && client !== undefined) {
    return (
      <Shell shared>
        {route.view === 'run' ? <RunPage client={client} runId={route.runId} /> : <p role="alert">This share link does not name a run.</p>}
      </Shell>
    );
  }
  if (client === undefined) {
    return (
      <Shell>
        <SignIn
          baseUrl={baseUrl}
          onSignedIn={(key) => {
            saveApiKey(key);
            setApiKey(key);
          }}
        />
      </Shell>
    );
  }
  return (
    <Shell onSignOut={signOut}>
      {route.view === 'run' ? <RunPage client={client} runId={route.runId} onUnauthorized={signOut} /> : <RunsPage client={client} query={location.query} onUnauthorized={signOut} />}
    </Shell>
  );
}

function Shell({ children, shared = false, onSignOut }: { readonly children: React.ReactNode; readonly shared?: boolean; readonly onSignOut?: () => void }) {
  return (
    <>
      <header className="topbar">
        {shared ? <span className="brand">runledger</span> : <a className="brand" href="#/">runledger</a>}
        {shared ? <span className="muted">shared view (read-only)</span> : null}
        {onSignOut === undefined ? null : (
          <button type="button" className="link" onClick={onSignOut}>
            Sign out
          </button>
        )}
      </header>
      <main>{children}</main>
    </>
  );
}
