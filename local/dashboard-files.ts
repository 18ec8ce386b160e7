import { createReadStream, existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { packageRoot } from '#infra/package-root.ts';

/** Where the local stack serves the dashboard, and where `npm run build` writes it. */
export const DASHBOARD_PATH = '/ui/';
export const DASHBOARD_DIR = join(packageRoot(import.meta.url), 'dist', 'dashboard');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/**
 * The headers CloudFront's response-headers policy gives the deployed dashboard
 * (infra/constructs/dashboard-site.ts), so the app meets the same rules locally.
 */
export const DASHBOARD_SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
} as const;

export function isDashboardRequest(path: string, request: IncomingMessage): boolean {
  const pathname = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
  return (request.method === 'GET' || request.method === 'HEAD') && (pathname === path.replace(/\/$/, '') || pathname.startsWith(path));
}

/**
 * Static files of the built app. Hand-written (a dozen lines) rather than a static-server
 * dependency: the app is a handful of hashed files and index.html. Paths are normalized and kept
 * inside `dir`; anything unknown is index.html (the app routes in the fragment).
 */
export function serveDashboard(dir: string, path: string, request: IncomingMessage, response: ServerResponse): void {
  request.resume();
  const pathname = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
  if (pathname === path.replace(/\/$/, '')) {
    response.writeHead(308, { location: path }).end();
    return;
  }
  const index = join(dir, 'index.html');
  if (!existsSync(index)) {
    response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('the dashboard is not built: run `npm run build` (npm ci runs it)\n');
    return;
  }
  let relative = '';
  try {
    relative = decodeURIComponent(pathname.slice(path.length));
  } catch {
    relative = '';
  }
  const candidate = normalize(join(dir, relative));
  const found = candidate.startsWith(dir + sep) && existsSync(candidate) && statSync(candidate).isFile();
  // A missing file with an extension (config.json, an old asset) is a 404; any other path is the app.
  if (!found && extname(relative) !== '') {
    response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
    return;
  }
  const file = found ? candidate : index;
  const hashed = file !== index && relative.startsWith('assets/');
  response.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    // Hashed asset names change with their content; index.html must be read again to find them.
    'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
    ...DASHBOARD_SECURITY_HEADERS,
  });
  if (request.method === 'HEAD') response.end();
  else createReadStream(file).pipe(response);
}
