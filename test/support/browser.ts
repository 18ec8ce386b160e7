import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { DASHBOARD_DIR } from '#local/dashboard-files.ts';

/** Where browser tests write screenshots (gitignored). */
export const TEST_OUTPUT_DIR = join(import.meta.dirname, '..', '..', 'test-output');

/**
 * Debian's chromium driven by playwright-core: Playwright cannot download its own browser here
 * (.ci/run installs the distribution's). One browser per test file; close it in afterAll.
 */
export async function launchChromium(): Promise<Browser> {
  const executablePath = execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' }).trim();
  if (executablePath === '') throw new Error('chromium is not installed: `apt-get install -y chromium` (.ci/run does it)');
  return chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
  });
}

/** The built dashboard must exist: `npm ci` builds it (prepare), `npm run build` again after changes. */
export function assertDashboardBuilt(): void {
  if (!existsSync(join(DASHBOARD_DIR, 'index.html'))) throw new Error(`the dashboard is not built (${DASHBOARD_DIR}): run npm run build`);
}

export function screenshotPath(name: string): string {
  const dir = join(TEST_OUTPUT_DIR, 'dashboard');
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export type AxeViolation = { id: string; impact: string | null; help: string; nodes: number };

/** axe-core's violations on the page as it is now (evaluated through the DevTools protocol, so the page's CSP does not block it). */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: unknown[] }> }> } }).axe;
    const result = await axe.run();
    return result.violations.map((violation) => ({ id: violation.id, impact: violation.impact, help: violation.help, nodes: violation.nodes.length }));
  });
}
