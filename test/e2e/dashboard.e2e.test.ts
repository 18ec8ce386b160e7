import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningLocalStack } from '#local/stack.ts';
import { parseShareKeyRing, signShareToken } from '#shared/auth/share-tokens.ts';
import { assertDashboardBuilt, axeViolations, launchChromium, screenshotPath } from '#test/support/browser.ts';
import { uniqueId } from '#test/support/events.ts';
import { ACME_KEY, request, startTestStack } from '#test/support/http.ts';

let stack: RunningLocalStack;
let browser: Browser;

beforeAll(async () => {
  assertDashboardBuilt();
  stack = await startTestStack({ config: { RUNLEDGER_STREAM_POLL_MS: '50' } });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

let clock = Date.parse('2026-12-02T10:00:00Z');
const event = (type: string, payload?: object) => ({ eventId: uniqueId('e'), type, occurredAt: new Date((clock += 1000)).toISOString(), ...(payload === undefined ? {} : { payload }) });
async function post(runId: string, events: object[], threadId?: string): Promise<void> {
  const body = { events: events.map((item) => ({ ...item, ...(threadId === undefined ? {} : { threadId }) })) };
  const answer = await request(stack.url, 'POST', `/v1/runs/${runId}/events`, { body });
  expect(answer.status, answer.text).toBe(202);
}

/** A page signed in with the acme key, through the form, by keyboard. */
async function signedIn(width = 1280): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  await page.goto(stack.dashboardUrl);
  await page.getByLabel('API key').focus();
  await page.keyboard.type(ACME_KEY);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Runs' }).waitFor();
  return page;
}

/** The seqs of the event rows on screen, top to bottom, and their types. */
async function rows(page: Page): Promise<Array<{ seq: number; type: string }>> {
  const items = await page.locator('li[data-seq]').all();
  return Promise.all(items.map(async (item) => ({ seq: Number(await item.getAttribute('data-seq')), type: (await item.locator('.event-type').allTextContents()).join('') })));
}

const seriousViolations = (violations: Awaited<ReturnType<typeof axeViolations>>) => violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');

describe('the dashboard in Chromium against the local stack', () => {
  it('refuses a wrong key with a clear message and keeps the key out of the URL', async () => {
    const page = await browser.newPage();
    await page.goto(stack.dashboardUrl);
    await page.getByLabel('API key').fill('rl_wrong_key_123456');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('not accepted');
    expect(page.url()).not.toContain('rl_wrong');
    expect(seriousViolations(await axeViolations(page))).toEqual([]);
    await page.close();
  });

  it('signs in with a key and lists a run the test created, with counts by status; screenshot of the runs list', async () => {
    const runId = uniqueId('listed');
    const threadId = uniqueId('thread');
    await post(runId, [event('run.started'), event('task.started', { taskId: 'fetch' })], threadId);
    const page = await signedIn();
    await page.getByRole('link', { name: runId }).waitFor();
    expect(await page.getByRole('row', { name: new RegExp(runId) }).textContent()).toContain(threadId);
    expect(await page.getByRole('region', { name: 'Runs by status' }).textContent()).toMatch(/\d+running/);
    expect(await page.evaluate(() => sessionStorage.getItem('runledger.apiKey'))).toBe(ACME_KEY);
    // Filter by the thread: the run stays, and the filter is in the address.
    await page.getByLabel('Thread').fill(threadId);
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/threadId=/);
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1);
    await page.screenshot({ path: screenshotPath('runs-list.png'), fullPage: true });
    expect(seriousViolations(await axeViolations(page))).toEqual([]);
    await page.close();
  });

  it('shows a running run\'s events appear live, in order, without reload, and its status turn completed; screenshot of the run page', async () => {
    const runId = uniqueId('live');
    await post(runId, [event('run.started'), event('task.started', { taskId: 'fetch', name: 'fetch pages' }), event('run.progress', { progress: 0.25, message: 'a quarter' })]);
    const page = await signedIn();
    await page.goto(`${stack.dashboardUrl}#/runs/${runId}`);
    await expect.poll(async () => (await rows(page)).map((row) => row.seq)).toEqual([1, 2, 3]);
    await page.getByText('live', { exact: true }).waitFor();
    let navigations = 0;
    page.on('framenavigated', () => (navigations += 1));

    await post(runId, [event('task.retrying', { taskId: 'fetch', attempt: 2, error: { message: 'timeout' } }), event('run.progress', { progress: 0.75 })]);
    await expect.poll(async () => (await rows(page)).map((row) => row.seq)).toEqual([1, 2, 3, 4, 5]);
    await post(runId, [event('task.completed', { taskId: 'fetch', attempt: 2 }), event('run.completed', { result: { pages: 100 }, usage: { inputTokens: 1200, outputTokens: 300 } })]);
    await expect.poll(async () => (await rows(page)).map((row) => `${row.seq} ${row.type}`)).toEqual([
      '1 run.started',
      '2 task.started',
      '3 run.progress',
      '4 task.retrying',
      '5 run.progress',
      '6 task.completed',
      '7 run.completed',
    ]);
    await expect.poll(() => page.locator('#run-title .badge').textContent()).toBe('completed');
    expect(navigations).toBe(0);
    expect(await page.locator('.timeline').textContent()).toContain('1 retry');
    await page.getByText('40%').or(page.getByText('25% a quarter')).first().click();
    await page.screenshot({ path: screenshotPath('run-page.png'), fullPage: true });
    expect(seriousViolations(await axeViolations(page))).toEqual([]);
    await page.close();
  });

  it('opens a share link with no key, read-only, and the link reaches no other run', async () => {
    const runId = uniqueId('shared');
    const other = uniqueId('other');
    await post(runId, [event('run.started'), event('run.completed')]);
    await post(other, [event('run.started')]);
    const owner = await signedIn();
    await owner.goto(`${stack.dashboardUrl}#/runs/${runId}`);
    await owner.getByRole('button', { name: 'Share read-only link' }).click();
    const url = await owner.getByLabel(/^Link/).inputValue();
    expect(url).toContain(`#/runs/${runId}?token=rls1.`);
    await owner.close();

    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const guest = await context.newPage();
    await guest.goto(url);
    await expect.poll(async () => (await rows(guest)).map((row) => row.seq)).toEqual([1, 2]);
    expect(await guest.getByLabel('API key').count()).toBe(0);
    expect(await guest.getByText('shared view (read-only)').count()).toBe(1);
    expect(await guest.getByRole('button', { name: 'Share read-only link' }).count()).toBe(0);
    expect(seriousViolations(await axeViolations(guest))).toEqual([]);
    // The narrow page does not scroll sideways.
    expect(await guest.evaluate('document.documentElement.scrollWidth <= document.documentElement.clientWidth')).toBe(true);
    await guest.screenshot({ path: screenshotPath('shared-run-narrow.png'), fullPage: true });

    const token = new URL(url.replace('#/', '')).searchParams.get('token') ?? '';
    await guest.goto(url.replace(runId, other));
    await expect.poll(() => guest.getByRole('alert').textContent()).toContain('does not open that run');
    const direct = await guest.evaluate(async ([base, id, t]) => (await fetch(`${base}/v1/runs/${id}`, { headers: { authorization: `Bearer ${t}` } })).status, [stack.url, other, token] as const);
    expect(direct).toBe(403);
    const listing = await guest.evaluate(async ([base, t]) => (await fetch(`${base}/v1/runs`, { headers: { authorization: `Bearer ${t}` } })).status, [stack.url, token] as const);
    expect(listing).toBe(403);
    await context.close();
  });

  it('shows an expired share link\'s message', async () => {
    const runId = uniqueId('expired');
    await post(runId, [event('run.started')]);
    const keys = parseShareKeyRing(readFileSync(join(stack.dataDir, 'share-signing-keys'), 'utf8').trim());
    const expired = signShareToken({ tenant: 'acme', runId, expiresAt: new Date(Date.now() - 60_000) }, keys.current);
    const page = await browser.newPage();
    await page.goto(`${stack.dashboardUrl}#/runs/${runId}?token=${expired}`);
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('expired or is not valid');
    await page.close();
  });
});
