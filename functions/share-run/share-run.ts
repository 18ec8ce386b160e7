import type { APIGatewayProxyEvent } from 'aws-lambda';
import { signShareToken } from '#shared/auth/share-tokens.ts';
import { toFieldErrors } from '#shared/contract/issues.ts';
import { friendlyErrorMap } from '#shared/contract/issues.ts';
import { ShareRequestSchema, type ShareLink } from '#shared/contract/share.ts';
import { ForbiddenError, InvalidRequestError, ShareLinksOffError } from '#shared/errors.ts';
import { header } from '../http/header.ts';
import { httpHandler } from '../http/http-handler.ts';
import { parseJsonBody } from '../http/json-body.ts';
import { jsonResponse } from '../http/responses.ts';
import { runOf } from '../http/run-route.ts';
import type { Root } from '../runtime/compose.ts';
import { shareKeysOf } from '../runtime/parts/share-keys.ts';
import { eventStoreOf } from '../runtime/parts/stores.ts';

/**
 * `POST /v1/runs/{runId}/share` `{"expiresInSeconds"?}` -> `{token, expiresAt, url}`: a signed
 * read-only token for this one run. A `read` key may share what it can read; a share token cannot
 * make another (it would outlive its own expiry).
 */
export function makeShareRunHandler(root: Root) {
  const eventStore = eventStoreOf(root);
  const shareKeys = shareKeysOf(root);
  const dashboard = root.config.RUNLEDGER_DASHBOARD_URL;
  return httpHandler(root, async (event) => {
    if (typeof event.requestContext.authorizer?.shareRunId === 'string') throw new ForbiddenError('a share link cannot create share links; use an API key');
    const { tenant, runId } = await runOf(event, eventStore);
    if (shareKeys === undefined) throw new ShareLinksOffError('share links are off: no signing key is configured (RUNLEDGER_SHARE_SIGNING_KEYS or RUNLEDGER_SHARE_KEYS_SECRET_ARN)');
    const { expiresInSeconds } = parseShareRequest(event);
    const expiresAt = new Date(Math.floor(root.clock.now().getTime() / 1000) * 1000 + expiresInSeconds * 1000);
    const token = signShareToken({ tenant, runId, expiresAt }, (await shareKeys()).current);
    const url = dashboard === undefined ? undefined : dashboardLink(dashboard, event, runId, token);
    const link: ShareLink = { token, expiresAt: expiresAt.toISOString(), ...(url === undefined ? {} : { url }) };
    return jsonResponse(201, link);
  });
}

function parseShareRequest(event: APIGatewayProxyEvent) {
  const body = event.body === null || event.body.trim() === '' ? {} : parseJsonBody(event);
  const parsed = ShareRequestSchema.safeParse(body, { error: friendlyErrorMap });
  if (!parsed.success) {
    const errors = toFieldErrors(parsed.error);
    throw new InvalidRequestError('invalid_request', `bad body: ${errors.map((error) => `${error.path} ${error.message}`).join('; ')}`, errors);
  }
  return parsed.data;
}

/**
 * The dashboard's run view with the token in the fragment (`#/runs/ID?token=`): a fragment is never
 * sent to a server, so the token stays out of CDN and access logs. A dashboard given as a path
 * (`/ui/`, the local stack) is on the API's own origin.
 */
function dashboardLink(dashboard: string, event: APIGatewayProxyEvent, runId: string, token: string): string | undefined {
  const host = header(event, 'host');
  if (!/^https?:\/\//.test(dashboard) && host === undefined) return undefined;
  const base = new URL(dashboard, `${header(event, 'x-forwarded-proto') ?? 'http'}://${host ?? 'localhost'}`);
  return `${base.origin}${base.pathname}#/runs/${encodeURIComponent(runId)}?token=${encodeURIComponent(token)}`;
}
