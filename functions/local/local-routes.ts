/**
 * The local runner's HTTP routes — translation only, like the cloud functions: the webhook routes
 * (POST /api/service-health, POST /api/webhook: acceptWebhook, the same routes and status codes as
 * on Azure and AWS), GET /api/status (the status document plus this process's inbox and metrics)
 * and GET /healthz. Anything unexpected answers 500 with no detail and is logged.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { SqliteInbox } from '../../shared/inbox/sqlite-inbox.ts';
import type { Logger } from '../../shared/observability/logger.ts';
import type { InMemoryMetrics } from '../../shared/observability/metrics.ts';
import type { Runtime } from '../../shared/runtime/open-runtime.ts';
import { acceptWebhook, findWebhookRoute } from '../../shared/webhook/accept-webhook.ts';
import type { WebhookConfig } from '../../shared/webhook/webhook-config.ts';
import { toWebhookRequest, writeJson, writeResponse } from './http-adapter.ts';
import { canReadStatus } from './status-access.ts';

export interface LocalRoutesDeps {
  readonly runtime: Runtime<SqliteInbox>;
  readonly inbox: SqliteInbox;
  /** The webhook settings in force (with the generated local token when none was configured). */
  readonly webhook: WebhookConfig;
  readonly logger: Logger;
  readonly metrics: InMemoryMetrics;
  readonly version: string;
  /** Called after each 202: the input is durable and waits for the background loop. */
  readonly onAccepted: () => void;
}

async function writeStatus(deps: LocalRoutesDeps, response: ServerResponse): Promise<void> {
  const { inbox } = deps;
  writeJson(response, 200, {
    ...(await deps.runtime.statusDocument()),
    inbox: {
      pending: await inbox.countPending(),
      commits: inbox.stats.commits,
      committedEntries: inbox.stats.entries,
    },
    metrics: deps.metrics.snapshot(),
  });
}

async function route(
  deps: LocalRoutesDeps,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (url.pathname === '/healthz') {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      writeJson(response, 405, { error: 'method not allowed' });
      return;
    }
    writeJson(response, 200, { status: 'ok', version: deps.version });
    return;
  }
  if (url.pathname === '/api/status') {
    if (request.method !== 'GET') {
      writeJson(response, 405, { error: 'method not allowed' });
      return;
    }
    const access = { hostHeader: request.headers.host, token: url.searchParams.get('token') };
    if (!canReadStatus(deps.runtime.config.server.host, access, deps.webhook.tokens)) {
      writeJson(response, 401, { error: 'unauthorized' });
      return;
    }
    await writeStatus(deps, response);
    return;
  }
  if (findWebhookRoute(url.pathname) === undefined) {
    writeJson(response, 404, { error: 'not found' });
    return;
  }
  const accept = await deps.runtime.webhook(deps.logger, deps.metrics);
  const answer = await acceptWebhook(toWebhookRequest(request, url), { ...accept, config: deps.webhook });
  await writeResponse(request, response, answer);
  if (answer.status === 202) deps.onAccepted();
}

export function createLocalRequestListener(deps: LocalRoutesDeps): RequestListener {
  return (request, response) => {
    route(deps, request, response).catch((error: unknown) => {
      deps.logger.error('request failed', {
        path: request.url?.split('?')[0],
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
      if (!response.headersSent) writeJson(response, 500, { error: 'internal error' });
      else response.destroy();
    });
  };
}
