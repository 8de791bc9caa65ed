/**
 * Wraps normalized data in a CloudEvents 1.0 structured-mode envelope. The id is derived from the
 * updateKey and the receiving scope, so the same published update delivered twice to one receiver
 * gets the same id (CloudEvents consumers may dedupe on source + id), while the copy that reached
 * another subscription keeps its own id. The engine dedupes on updateKey, across scopes.
 */
import { createHash } from 'node:crypto';
import type {
  ProbeCloudEvent,
  ProbeEventData,
  ProviderCloudEvent,
  ProviderEventData,
  Scope,
} from './schema.ts';
import { EVENT_TYPES } from './vocabulary.ts';

export function createEmptyScope(): Scope {
  return { tenantIds: [], subscriptionIds: [], accountIds: [], resourceIds: [] };
}

function scopeFingerprint(scope: Scope): string {
  return [scope.tenantIds, scope.subscriptionIds, scope.accountIds, scope.resourceIds]
    .map((ids) => ids.join(','))
    .join('|');
}

export function computeEventId(updateKey: string, scope: Scope): string {
  return createHash('sha256')
    .update(updateKey)
    .update('\n')
    .update(scopeFingerprint(scope))
    .digest('hex')
    .slice(0, 32);
}

export function createProviderEvent(
  type: typeof EVENT_TYPES.providerIncident | typeof EVENT_TYPES.resourceHealth,
  data: ProviderEventData,
): ProviderCloudEvent {
  return {
    specversion: '1.0',
    id: computeEventId(data.updateKey, data.scope),
    source: `/crosswatch/${data.origin}`,
    type,
    subject: data.incidentKey,
    time: data.updatedAt,
    datacontenttype: 'application/json',
    data,
  };
}

export function createProbeEvent(data: ProbeEventData): ProbeCloudEvent {
  return {
    specversion: '1.0',
    id: computeEventId(data.updateKey, data.scope),
    source: `/crosswatch/probe/${data.vantage.id}`,
    type: EVENT_TYPES.probeResult,
    subject: data.incidentKey,
    time: data.updatedAt,
    datacontenttype: 'application/json',
    data,
  };
}
