/**
 * The status document every deployment publishes (Azure `status` function, the local runner's
 * `GET /api/status`, the AWS webhook's `GET /api/status`): who it is, its latest heartbeat — what a
 * peer's watchdog reads — how it hears its mesh peers, and its open
 * incidents, newest change first. One builder for every runtime; a runtime may add its own sections
 * (the local runner adds its inbox and metrics).
 */

import { listIncidents } from '../engine/process-event.ts';
import { getHeartbeat } from '../engine/watchdog.ts';
import type { Vantage } from '../event/schema.ts';
import type { StateStore } from '../store/ports.ts';

export interface StatusDocument {
  readonly deploymentId: string;
  readonly vantage: Vantage;
  readonly generatedAt: string;
  readonly heartbeat: { readonly lastHeartbeatAt: string | null };
  /** The mesh peers as this deployment hears them: their latest heartbeat, and whether it is stale. */
  readonly peers: readonly StatusPeer[];
  readonly openIncidents: readonly StatusIncident[];
}

export interface StatusIncident {
  readonly incidentKey: string;
  readonly kind: string;
  readonly provider: string;
  readonly category: string;
  readonly severity: string;
  readonly title: string;
  readonly stage: string | null;
  readonly services: readonly string[];
  readonly regions: readonly string[];
  readonly startedAt: string | null;
  readonly openedAt: string | null;
  readonly lastChangedAt: string;
  readonly verdict: string | null;
}

export interface StatusPeer {
  readonly id: string;
  readonly lastHeartbeatAt: string | null;
  readonly stale: boolean;
}

export interface StatusSource {
  readonly store: StateStore;
  readonly deploymentId: string;
  readonly peerIds?: readonly string[];
  readonly vantage: Vantage;
  readonly now: () => Date;
}

export async function buildStatusDocument(source: StatusSource): Promise<StatusDocument> {
  const [heartbeat, incidents, peers] = await Promise.all([
    getHeartbeat(source.store, source.deploymentId),
    listIncidents(source.store),
    Promise.all((source.peerIds ?? []).map((id) => getHeartbeat(source.store, id))),
  ]);
  return {
    deploymentId: source.deploymentId,
    vantage: source.vantage,
    generatedAt: source.now().toISOString(),
    heartbeat: { lastHeartbeatAt: heartbeat?.lastHeartbeatAt ?? null },
    peers: (source.peerIds ?? []).map((id, index) => ({
      id,
      lastHeartbeatAt: peers[index]?.lastHeartbeatAt ?? null,
      stale: peers[index]?.stale ?? false,
    })),
    openIncidents: incidents
      .filter((incident) => incident.status === 'open')
      .map((incident) => ({
        incidentKey: incident.incidentKey,
        kind: incident.kind,
        provider: incident.provider,
        category: incident.category,
        severity: incident.severity,
        title: incident.title,
        stage: incident.stage,
        services: incident.services,
        regions: incident.regions,
        startedAt: incident.startedAt,
        openedAt: incident.openedAt,
        lastChangedAt: incident.lastChangedAt,
        verdict: incident.probeState?.verdict ?? null,
      }))
      .sort((a, b) => b.lastChangedAt.localeCompare(a.lastChangedAt)),
  };
}
