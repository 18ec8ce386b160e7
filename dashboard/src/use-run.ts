import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, type ApiClient } from './api/client.ts';
import type { RunSummary, TaskView } from './api/schemas.ts';
import { followRun } from './live/follow-run.ts';
import { isTerminal } from './view/format.ts';
import { EMPTY_WINDOW, mergeEvents, pageToLoad, type EventWindow } from './view/event-window.ts';

export const PAGE_SIZE = 200;

export type RunView = {
  readonly summary: RunSummary | undefined;
  readonly tasks: readonly TaskView[];
  readonly events: EventWindow;
  readonly error: ApiError | Error | undefined;
  readonly live: 'connecting' | 'open' | 'retrying' | 'ended' | 'off';
  /** Rows first..last (seqs) are on screen: load the page they need, if any. */
  readonly showing: (first: number, last: number) => void;
};

/**
 * One run, live: its summary and tasks, its events as a sparse window filled by pages where the
 * user looks (so 10,000 events open as fast as 200), and, while the run is not finished, the SSE
 * stream from the run's last seq on, with summary and tasks read again when events arrive.
 */
export function useRun(client: ApiClient, runId: string): RunView {
  const [summary, setSummary] = useState<RunSummary | undefined>();
  const [tasks, setTasks] = useState<readonly TaskView[]>([]);
  const [events, setEvents] = useState<EventWindow>(EMPTY_WINDOW);
  const [error, setError] = useState<ApiError | Error | undefined>();
  const [live, setLive] = useState<RunView['live']>('connecting');
  const inFlight = useRef(new Set<number>());
  const eventsRef = useRef(events);
  eventsRef.current = events;
  const missing = useRef(new Set<number>());

  const refresh = useCallback(async () => {
    const [run, runTasks] = await Promise.all([client.getRun(runId), client.listTasks(runId)]);
    missing.current = new Set(run.missingSeqs);
    setSummary(run);
    setTasks(runTasks);
    setEvents((window) => mergeEvents(window, [], run.lastSeq));
    return run;
  }, [client, runId]);

  const loadPage = useCallback(
    (afterSeq: number) => {
      inFlight.current.add(afterSeq);
      client.listEvents(runId, afterSeq, PAGE_SIZE).then(
        (page) => {
          inFlight.current.delete(afterSeq);
          setEvents((window) => mergeEvents(window, page.events));
        },
        (caught: unknown) => {
          inFlight.current.delete(afterSeq);
          setError(caught instanceof Error ? caught : new Error('the events could not be read'));
        },
      );
    },
    [client, runId],
  );

  useEffect(() => {
    setSummary(undefined);
    setTasks([]);
    setEvents(EMPTY_WINDOW);
    setError(undefined);
    let stop: (() => void) | undefined;
    let cancelled = false;
    let refreshTimer: ReturnType<typeof setTimeout> | undefined;
    // Summary and tasks follow the events, at most every 500 ms however fast events come.
    const refreshSoon = () => {
      refreshTimer ??= setTimeout(() => {
        refreshTimer = undefined;
        refresh().catch(() => undefined);
      }, 500);
    };
    // The first page is read beside the summary, not after it: the first events show one round trip sooner.
    loadPage(0);
    refresh().then(
      (run) => {
        if (cancelled) return;
        if (isTerminal(run.status)) return setLive('off');
        stop = followRun({
          url: client.streamUrl(runId),
          headers: client.headers,
          afterSeq: run.lastSeq,
          parseEvent: client.parseEvent,
          onEvents: (incoming) => {
            setEvents((window) => mergeEvents(window, incoming));
            refreshSoon();
          },
          onEnd: () => {
            setLive('ended');
            refresh().catch(() => undefined);
          },
          onRefused: (status) => {
            setLive('off');
            setError(new ApiError(status, status === 401 ? 'unauthorized' : 'forbidden', 'the live stream was refused'));
          },
          onConnection: (state) => setLive(state),
        });
      },
      (caught: unknown) => !cancelled && setError(caught instanceof Error ? caught : new Error('the run could not be read')),
    );
    return () => {
      cancelled = true;
      stop?.();
      clearTimeout(refreshTimer);
    };
  }, [client, runId, refresh, loadPage]);

  const showing = useCallback(
    (first: number, last: number) => {
      const afterSeq = pageToLoad(eventsRef.current, first, last, inFlight.current, missing.current);
      if (afterSeq !== undefined) loadPage(afterSeq);
    },
    [loadPage],
  );

  return { summary, tasks, events, error, live, showing };
}
