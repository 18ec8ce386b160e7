/**
 * `npm run bench:dashboard`: the dashboard in Chromium against the local stack. Prints the
 * bundle's gzipped size, the time from navigation to the first events shown for a run of 10,000
 * events (and to its last page after scrolling to the end), and memory after scrolling through all
 * of it. One run, one browser; absolute numbers drift between machines.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DASHBOARD_DIR } from '#local/dashboard-files.ts';
import { startLocalStack } from '#local/stack.ts';
import { assertDashboardBuilt, launchChromium } from '#test/support/browser.ts';

const EVENTS = 10_000;
const KEY = 'bench-dashboard-key-0123456789';
const RUNS_OF_TIMING = 3;

function bundleSizes(): { files: number; rawBytes: number; gzipBytes: number; jsGzipBytes: number } {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.push(path);
    }
  };
  walk(DASHBOARD_DIR);
  const sizes = files.map((file) => ({ file, raw: statSync(file).size, gzip: gzipSync(readFileSync(file), { level: 9 }).byteLength }));
  return {
    files: files.length,
    rawBytes: sizes.reduce((sum, size) => sum + size.raw, 0),
    gzipBytes: sizes.reduce((sum, size) => sum + size.gzip, 0),
    jsGzipBytes: sizes.filter((size) => size.file.endsWith('.js')).reduce((sum, size) => sum + size.gzip, 0),
  };
}

/**
 * The page's globals as the functions Playwright runs in the page see them (this file is typed for
 * Node, without the DOM). Functions, not strings: the dashboard's CSP forbids eval. Each function
 * is sent to the page alone, so it names its globals itself.
 */
type InPage = { document: { querySelector(selector: string): { scrollTop: number } | null } };

async function main(): Promise<void> {
  assertDashboardBuilt();
  const bundle = bundleSizes();
  const dataDir = mkdtempSync(join(tmpdir(), 'runledger-bench-dashboard-'));
  const stack = await startLocalStack({ port: 0, dataDir, apiKeys: `bench:${KEY}`, builtInObservers: false, staleCheckIntervalMs: 0, relayRedriveIntervalMs: 0 });
  const browser = await launchChromium();
  try {
    // A running run of 10,000 events (no terminal event: the page also opens its live stream).
    const runId = `bench-${Date.now()}`;
    const ingestStarted = performance.now();
    const base = Date.now() - EVENTS * 1000;
    for (let start = 0; start < EVENTS; start += 100) {
      const events = Array.from({ length: 100 }, (_, index) => {
        const n = start + index;
        return n === 0
          ? { eventId: 'e0', type: 'run.started', occurredAt: new Date(base).toISOString() }
          : { eventId: `e${n}`, type: 'run.progress', occurredAt: new Date(base + n * 1000).toISOString(), payload: { progress: n / EVENTS, message: `step ${n} of ${EVENTS}` } };
      });
      const answer = await fetch(`${stack.url}/v1/runs/${runId}/events`, { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, body: JSON.stringify({ events }) });
      if (answer.status !== 202) throw new Error(`ingest answered ${answer.status}: ${await answer.text()}`);
    }
    const ingestSeconds = (performance.now() - ingestStarted) / 1000;

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addInitScript(`sessionStorage.setItem('runledger.apiKey', ${JSON.stringify(KEY)})`);
    const firstEvents: number[] = [];
    let page = await context.newPage();
    for (let round = 0; round < RUNS_OF_TIMING; round += 1) {
      if (round > 0) {
        await page.close();
        page = await context.newPage();
      }
      await page.goto(`${stack.dashboardUrl}#/runs/${runId}`);
      // performance.now() in the page counts from the navigation's start.
      const shownAt = await page.waitForFunction(() => ((globalThis as unknown as InPage).document.querySelector('li[data-seq="1"] .event-type') === null ? false : performance.now()), undefined, { polling: 'raf' });
      firstEvents.push(Number(await shownAt.jsonValue()));
    }

    // Scroll through every row, as a reader paging down would, until the last event is on screen.
    const scrollStarted = performance.now();
    await page.waitForFunction(
      (last) => {
        const scroller = (globalThis as unknown as InPage).document.querySelector('.events');
        if (scroller === null) return false;
        scroller.scrollTop += 4000;
        return (globalThis as unknown as InPage).document.querySelector(`li[data-seq="${last}"] .event-type`) !== null;
      },
      EVENTS,
      { polling: 50, timeout: 120_000 },
    );
    const scrollSeconds = (performance.now() - scrollStarted) / 1000;
    const cdp = await context.newCDPSession(page);
    await cdp.send('HeapProfiler.collectGarbage');
    await cdp.send('Performance.enable');
    const { metrics } = await cdp.send('Performance.getMetrics');
    const metric = (name: string) => metrics.find((entry) => entry.name === name)?.value ?? Number.NaN;
    const rowsInPage = await page.locator('li[data-seq]').count();
    await context.close();

    const median = [...firstEvents].sort((a, b) => a - b)[Math.floor(firstEvents.length / 2)] ?? Number.NaN;
    const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
    console.log('dashboard (Chromium, local stack)');
    console.log(`  bundle: ${bundle.files} files, ${kib(bundle.rawBytes)} raw, ${kib(bundle.gzipBytes)} gzipped (JS ${kib(bundle.jsGzipBytes)}); target <= 200 KB gzipped`);
    console.log(`  run of ${EVENTS} events (ingested in ${ingestSeconds.toFixed(1)} s): navigation -> first events shown ${firstEvents.map((ms) => `${Math.round(ms)} ms`).join(', ')} (median ${Math.round(median)} ms); target < 1000 ms`);
    console.log(`  scrolled through all ${EVENTS} events in ${scrollSeconds.toFixed(1)} s (pages of 200 loaded as rows came on screen)`);
    console.log(`  after scrolling: JS heap ${kib(metric('JSHeapUsedSize'))} used of ${kib(metric('JSHeapTotalSize'))}; ${metric('Nodes')} DOM nodes; ${rowsInPage} event rows in the page (virtualized)`);
  } finally {
    await browser.close();
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
