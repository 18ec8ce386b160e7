import { useEffect, useRef, useState } from 'react';

export type Polled<T> = { readonly data: T | undefined; readonly error: unknown; readonly loading: boolean };

/**
 * `load` now and every `intervalMs` while the page is open and visible; `key` restarts it. A
 * slow answer never overwrites a newer one.
 */
export function usePolling<T>(load: () => Promise<T>, key: string, intervalMs: number): Polled<T> {
  const [state, setState] = useState<Polled<T>>({ data: undefined, error: undefined, loading: true });
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    let current = true;
    let generation = 0;
    const tick = () => {
      if (document.visibilityState === 'hidden') return;
      const mine = ++generation;
      loadRef.current().then(
        (data) => current && mine === generation && setState({ data, error: undefined, loading: false }),
        (error: unknown) => current && mine === generation && setState((previous) => ({ data: previous.data, error, loading: false })),
      );
    };
    setState({ data: undefined, error: undefined, loading: true });
    tick();
    const timer = setInterval(tick, intervalMs);
    return () => {
      current = false;
      clearInterval(timer);
    };
  }, [key, intervalMs]);
  return state;
}
