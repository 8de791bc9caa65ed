/**
 * `status` (HTTP GET /api/status, function key): this deployment's heartbeat and its open incidents
 * as JSON — what an operator or the peer deployment's watchdog reads. 5xx hides internals.
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { listIncidents } from '../../shared/engine/process-event.ts';
import { getHeartbeat } from '../../shared/engine/watchdog.ts';
import type { StatusDocument } from '../../shared/pipeline/watch-peers.ts';
import { getAppContext } from './app-context.ts';

const HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

export async function status(_request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  try {
    const appContext = await getAppContext();
    const store = await appContext.runtime.store();
    const [heartbeat, incidents] = await Promise.all([
      getHeartbeat(store, appContext.deploymentId),
      listIncidents(store),
    ]);
    const document: StatusDocument = {
      deploymentId: appContext.deploymentId,
      generatedAt: appContext.runtime.now().toISOString(),
      heartbeat: { lastHeartbeatAt: heartbeat?.lastHeartbeatAt ?? null },
      openIncidents: incidents
        .filter((incident) => incident.status === 'open')
        .map((incident) => ({
          incidentKey: incident.incidentKey,
          kind: incident.kind,
          provider: incident.provider,
          category: incident.category,
          severity: incident.severity,
          title: incident.title,
          services: incident.services,
          regions: incident.regions,
          openedAt: incident.openedAt,
          lastChangedAt: incident.lastChangedAt,
          verdict: incident.probeState?.verdict ?? null,
        }))
        .sort((a, b) => b.lastChangedAt.localeCompare(a.lastChangedAt)),
    };
    return { status: 200, headers: HEADERS, body: JSON.stringify(document) };
  } catch (error) {
    context.error(
      JSON.stringify({ msg: 'status failed', error: error instanceof Error ? error.name : 'Error' }),
    );
    return {
      status: 503,
      headers: { ...HEADERS, 'retry-after': '5' },
      body: JSON.stringify({ error: 'unavailable' }),
    };
  }
}

app.http('status', { methods: ['GET'], authLevel: 'function', route: 'status', handler: status });
