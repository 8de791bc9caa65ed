/**
 * Provider maintenance windows silence the probes of the same services and regions. A maintenance
 * event (category `maintenance`, status `scheduled` or `active`) puts a silence with the event's
 * incidentKey as id, matching probe incidents by the maintenance's services and regions (a `Global`
 * maintenance, or one naming no region, matches by service alone, so it silences the probes that
 * have no region too), from
 * `startedAt` to the planned end (the first of `silences.plannedEndAttributes` present, else
 * `startedAt + maintenanceDefaultDurationMs`). A resolving update (Complete, Canceled) ends it at
 * its resolution time, or removes it when that is before the window began. Stale updates are
 * ignored, so a late `Planned` never re-creates a finished window.
 */
import type { ProviderCloudEvent } from '../event/schema.ts';
import type { StateStore } from '../store/ports.ts';
import type { EngineConfig } from './engine-config.ts';
import { normalizeName } from './service-map.ts';
import { getSilence, putSilence, removeSilence, type Silence } from './silences.ts';

function readPlannedEnd(event: ProviderCloudEvent, attributes: readonly string[]): string | null {
  for (const name of attributes) {
    const value = event.data.attributes[name];
    if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return new Date(value).toISOString();
  }
  return null;
}

/**
 * The regions a maintenance window is limited to, or null when it is not limited: a maintenance
 * naming no region, or `Global` among them, covers every region — and the probes that have none
 * (global endpoints: most of the default catalog).
 */
export function readMaintenanceRegions(regions: readonly string[]): string[] | null {
  if (regions.length === 0 || regions.some((region) => normalizeName(region) === 'global')) return null;
  return [...regions];
}

export function isMaintenanceEvent(event: ProviderCloudEvent): boolean {
  return event.data.category === 'maintenance' && event.data.services.length > 0;
}

/** Creates, moves or ends the maintenance silence for this (non-stale, non-duplicate) update. */
export async function applyMaintenanceWindow(
  store: StateStore,
  event: ProviderCloudEvent,
  now: Date,
  config: EngineConfig,
): Promise<Silence | undefined> {
  if (!config.silences.autoMaintenance || !isMaintenanceEvent(event)) return undefined;
  const data = event.data;
  const id = data.incidentKey;
  if (data.status === 'resolved') {
    const existing = await getSilence(store, id);
    if (!existing) return undefined;
    const end = data.resolvedAt ?? data.updatedAt;
    if (existing.startsAt !== null && Date.parse(end) <= Date.parse(existing.startsAt)) {
      await removeSilence(store, id);
      return undefined;
    }
    if (existing.endsAt !== null && Date.parse(existing.endsAt) <= Date.parse(end)) return existing;
    return putSilence(store, { ...existing, endsAt: end });
  }
  if (data.status !== 'scheduled' && data.status !== 'active') return undefined;
  const startsAt = data.startedAt ?? data.updatedAt;
  const plannedEnd = readPlannedEnd(event, config.silences.plannedEndAttributes);
  const endsAt =
    plannedEnd !== null && Date.parse(plannedEnd) > Date.parse(startsAt)
      ? plannedEnd
      : new Date(Date.parse(startsAt) + config.silences.maintenanceDefaultDurationMs).toISOString();
  const regions = readMaintenanceRegions(data.regions);
  return putSilence(store, {
    id,
    matchers: { service: data.services, ...(regions === null ? {} : { region: regions }) },
    appliesTo: 'probe',
    startsAt,
    endsAt,
    schedule: null,
    comment: `provider maintenance: ${data.title}`,
    createdBy: 'crosswatch-engine',
    createdAt: now.toISOString(),
    source: 'maintenance',
  });
}
