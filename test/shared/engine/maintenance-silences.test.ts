/**
 * Maintenance windows from the real Service Health maintenance alert (the common-schema
 * alertContext sample, normalized by the real ingest), changed to the region an Azure-wide
 * maintenance names: `Global`. Such a window silences the probes that have no region — nearly the
 * whole default catalog — as well as regional ones; a regional maintenance stays regional.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type Decision, NOTIFYING_KINDS } from '../../../shared/engine/decision.ts';
import { readMaintenanceRegions } from '../../../shared/engine/maintenance-silences.ts';
import { processEvent } from '../../../shared/engine/process-event.ts';
import { getSilence } from '../../../shared/engine/silences.ts';
import type { ProviderCloudEvent } from '../../../shared/event/schema.ts';
import { normalizeText } from '../../../shared/ingest/normalize.ts';
import { createMemoryStore } from '../../../shared/store/memory-store.ts';
import type { StateStore } from '../../../shared/store/ports.ts';
import { buildProbeEvent } from '../../helpers/engine-events.ts';

type Json = Record<string, unknown>;

const FIXTURE = new URL(
  '../../fixtures/azure-monitor-common/alert-context-service-health-maintenance-planned.json',
  import.meta.url,
);
/** Inside the sample's window (impactStartTime 04:00Z, impactMitigationTime 12:00Z). */
const DURING = Date.parse('2019-06-26T05:00:00.000Z');

/** The sample, with its region (and its impacted services' regions) set to `region`. */
function loadMaintenance(region: string): ProviderCloudEvent {
  const document = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { alertContext: { properties: Json } };
  const properties = document.alertContext.properties;
  properties.region = region;
  properties.service = 'Azure Resource Manager';
  properties.impactedServices = JSON.stringify([
    { ImpactedRegions: [{ RegionName: region }], ServiceName: 'Azure Resource Manager' },
  ]);
  const { events } = normalizeText(JSON.stringify(document), { now: () => new Date('2019-06-24T11:32:00Z') });
  const [event] = events;
  if (!event || event.data.provider === 'crosswatch') throw new Error('expected a provider event');
  return event as ProviderCloudEvent;
}

/** Three failing rounds of the default catalog's ARM probe (no region) from one vantage. */
async function failArm(store: StateStore, regions: string[]): Promise<Decision[]> {
  const decisions: Decision[] = [];
  for (const i of [0, 1, 2]) {
    const at = new Date(DURING + i * 60_000).toISOString();
    const event = buildProbeEvent({
      targetId: 'control-arm',
      vantageId: 'aws-eu-west-1',
      roundId: `r${i}`,
      outcome: 'down',
      at,
      services: ['Azure Resource Manager'],
      regions,
    });
    decisions.push(...(await processEvent(event, { store, now: new Date(at) })));
  }
  return decisions;
}

describe('maintenance windows and regions', () => {
  it('a Global maintenance silences a matching probe that has no region', async () => {
    const store = createMemoryStore();
    const maintenance = loadMaintenance('Global');
    expect(maintenance.data.regions).toEqual(['Global']);
    await processEvent(maintenance, { store, now: new Date('2019-06-24T11:32:00Z') });
    const silence = await getSilence(store, maintenance.data.incidentKey);
    expect(silence?.matchers).toEqual({ service: ['Azure Resource Manager'] });
    const decisions = await failArm(store, []);
    const opening = decisions.find(
      (d) => d.kind === 'open' || (d.suppressedKind === 'open' && d.reason !== 'flap-threshold'),
    );
    expect([opening?.kind, opening?.reason]).toEqual([
      'suppressed',
      `maintenance:${maintenance.data.incidentKey}`,
    ]);
    expect(decisions.filter((d) => NOTIFYING_KINDS.includes(d.kind))).toEqual([]);
  });

  it('a Global maintenance also covers the regional probes of its services', async () => {
    const store = createMemoryStore();
    await processEvent(loadMaintenance('Global'), { store, now: new Date('2019-06-24T11:32:00Z') });
    const decisions = await failArm(store, ['eastus']);
    const opening = decisions.find(
      (d) => d.kind === 'open' || (d.suppressedKind === 'open' && d.reason !== 'flap-threshold'),
    );
    expect(opening?.reason).toMatch(/^maintenance:/);
    expect(decisions.filter((d) => NOTIFYING_KINDS.includes(d.kind))).toEqual([]);
  });

  it('a regional maintenance stays regional: the probe without a region still opens', async () => {
    const store = createMemoryStore();
    await processEvent(loadMaintenance('East US'), { store, now: new Date('2019-06-24T11:32:00Z') });
    const regional = await failArm(store, []);
    expect(regional.filter((d) => d.kind === 'open')).toHaveLength(1);
  });

  it.each([
    [[], null],
    [['Global'], null],
    [['East US', 'global'], null],
    [
      ['East US', 'West Europe'],
      ['East US', 'West Europe'],
    ],
  ])('limits %j to %j', (regions, expected) => {
    expect(readMaintenanceRegions(regions)).toEqual(expected);
  });
});
