import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { getIncident, listIncidents, processEvent } from '../../../shared/engine/process-event.ts';
import type { ProviderCloudEvent } from '../../../shared/event/schema.ts';
import {
  createStatusFeedEvents,
  type StatusFeedEventOptions,
} from '../../../shared/ingest/azure-status-feed.ts';
import { createMemoryStore } from '../../../shared/store/memory-store.ts';
import { type FeedEntry, parseFeedEntries } from '../../../shared/util/parse-feed.ts';
import { assertValidEvent } from '../../helpers/assert-valid-event.ts';
import { buildAzureServiceHealthEvent } from '../../helpers/engine-events.ts';

const NOW = '2026-11-29T12:00:00.000Z';
const FEED_URL = 'https://rssfeed.azure.status.microsoft/en-us/status/feed/';
const STATUS_PAGE = 'https://azure.status.microsoft/en-us/status/';
const EMPTY_SCOPE = { tenantIds: [], subscriptionIds: [], accountIds: [], resourceIds: [] };
const options: StatusFeedEventOptions = { receivedAt: NOW, feedUrl: FEED_URL, now: () => new Date(NOW) };

function readFeed(variant: string): string {
  return readFileSync(new URL(`../../fixtures/azure-status-feed/${variant}.xml`, import.meta.url), 'utf8');
}

async function eventsOf(variant: string, extra: Partial<StatusFeedEventOptions> = {}) {
  const events = createStatusFeedEvents(await parseFeedEntries(readFeed(variant)), { ...options, ...extra });
  for (const event of events) assertValidEvent(event);
  return events;
}

function entry(overrides: Partial<FeedEntry> = {}): FeedEntry {
  return {
    title: 'Azure Front Door - West Europe',
    link: STATUS_PAGE,
    published: '2026-11-29T11:00:00.000Z',
    summary:
      'Impact Statement: Starting at 10:40 UTC on 29 November 2026, customers may see HTTP 502 errors.',
    id: 'entry-1',
    ...overrides,
  };
}

function single(overrides: Partial<FeedEntry> = {}): ProviderCloudEvent {
  const [event, ...rest] = createStatusFeedEvents([entry(overrides)], options);
  expect(rest).toEqual([]);
  if (event === undefined) throw new Error('expected one event');
  assertValidEvent(event);
  return event;
}

describe('Azure status feed entries as events: fixtures', () => {
  it('maps the active feed (active.xml), oldest entry first', async () => {
    const [vm, afd, ...rest] = await eventsOf('active');
    expect(rest).toEqual([]);
    expect(afd?.type).toBe('io.crosswatch.provider.incident');
    expect(afd?.source).toBe('/crosswatch/azure-status-feed');
    expect(afd?.subject).toBe('azure:VLX8-3Z8');
    expect(afd?.time).toBe('2026-11-29T10:05:00.000Z');
    expect(afd?.data).toMatchObject({
      schemaVersion: 1,
      provider: 'azure',
      origin: 'azure-status-feed',
      incidentKey: 'azure:VLX8-3Z8',
      category: 'incident',
      status: 'active',
      severity: 'warning',
      title: 'Azure Front Door - West Europe and North Europe',
      services: ['Azure Front Door'],
      regions: ['West Europe', 'North Europe'],
      scope: EMPTY_SCOPE,
      startedAt: '2026-11-29T10:05:00.000Z',
      updatedAt: '2026-11-29T10:05:00.000Z',
      resolvedAt: null,
      links: [{ label: 'Azure status', url: STATUS_PAGE }],
      stage: 'Active',
      attributes: {
        trackingId: 'VLX8-3Z8',
        guid: 'AFD-VLX8-3Z8-2026-11-29',
        link: STATUS_PAGE,
        published: '2026-11-29T10:05:00.000Z',
        feedUrl: FEED_URL,
      },
    });
    expect(afd?.data.updateKey).toMatch(/^azure:VLX8-3Z8:2026-11-29T10:05:00\.000Z:[0-9a-f]{12}$/);
    expect(afd?.data.summary).toContain('Tracking ID: VLX8-3Z8');
    expect(afd?.data.summary).not.toMatch(/[<>]|&amp;/);
    expect(afd?.data.evidence?.contentHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    // No tracking id: keyed by the guid; "expect … to be mitigated once …" is a plan, not a mitigation.
    expect(vm?.data).toMatchObject({
      status: 'active',
      severity: 'warning',
      services: ['Virtual Machines'],
      regions: [],
      updatedAt: '2026-11-29T09:40:00.000Z',
    });
    expect(vm?.data.incidentKey).toMatch(/^azure-status:[0-9a-f]{16}$/);
    expect(vm?.data.summary).toContain('(create, delete, update, scale, start, stop) & extension installs');
  });

  it('maps a mitigated entry with "(Tracking ID …)" in its title (mitigated.xml)', async () => {
    const [event] = await eventsOf('mitigated');
    expect(event?.data).toMatchObject({
      incidentKey: 'azure:VLX8-3Z8',
      status: 'resolved',
      severity: 'info',
      stage: 'Mitigated',
      services: ['Azure Front Door'],
      regions: ['West Europe', 'North Europe'],
      updatedAt: '2026-11-29T11:02:00.000Z',
      resolvedAt: '2026-11-29T11:02:00.000Z',
    });
  });

  it('keeps only entries published within maxAgeMs of now (history.xml)', async () => {
    const day = await eventsOf('history');
    expect(day.map((event) => event.data.incidentKey)).toEqual(['azure:FNJ8-VQZ']);
    expect(day[0]?.data).toMatchObject({
      status: 'resolved',
      stage: 'RCA',
      severity: 'info',
      services: ['Azure Resource Manager'],
      regions: ['Global'],
    });
    const week = await eventsOf('history', { maxAgeMs: 7 * 24 * 60 * 60_000 });
    expect(week.map((event) => event.data.incidentKey)).toEqual([
      'azure:1LG8-1X0',
      'azure:YKYN-BWZ',
      'azure:FNJ8-VQZ',
    ]);
    expect(week.map((event) => event.data.stage)).toEqual(['RCA', 'Mitigated', 'RCA']);
    const all = await eventsOf('history', { maxAgeMs: 30 * 24 * 60 * 60_000 });
    expect(all.find((event) => event.data.incidentKey === 'azure:KTY1-HW8')?.data).toMatchObject({
      status: 'resolved',
      stage: 'RCA',
      services: ['Azure Active Directory'],
      regions: [],
    });
  });

  it('keys entries without guid or tracking id by their title: one incident, active then mitigated (no-guid.xml)', async () => {
    const [active, mitigated] = await eventsOf('no-guid');
    expect(active?.data.incidentKey).toMatch(/^azure-status:[0-9a-f]{16}$/);
    expect(mitigated?.data.incidentKey).toBe(active?.data.incidentKey);
    expect(mitigated?.data.updateKey).not.toBe(active?.data.updateKey);
    // "has not yet been resolved" is not a resolution; "has been mitigated" is.
    expect([active?.data.status, active?.data.stage]).toEqual(['active', 'Active']);
    expect([mitigated?.data.status, mitigated?.data.stage]).toEqual(['resolved', 'Mitigated']);
    expect(active?.data).toMatchObject({ services: ['Azure Storage'], regions: ['East US 2'] });
  });
});

describe('Azure status feed entries as events: rules', () => {
  it('yields identical events for the same entry polled again, and a new update for an edited one', async () => {
    const first = await eventsOf('active');
    const later = await eventsOf('active', {
      receivedAt: '2026-11-29T12:05:00.000Z',
      now: () => new Date('2026-11-29T12:05:00.000Z'),
    });
    expect(later).toEqual(first);
    const edited = readFeed('active').replace(
      'The next update will be provided within 60 minutes',
      'The rollback is 50% complete. The next update will be provided within 30 minutes',
    );
    const changed = createStatusFeedEvents(await parseFeedEntries(edited), options);
    const before = first.find((event) => event.data.incidentKey === 'azure:VLX8-3Z8');
    const after = changed.find((event) => event.data.incidentKey === 'azure:VLX8-3Z8');
    expect(after?.data.updateKey).not.toBe(before?.data.updateKey);
    expect(after?.id).not.toBe(before?.id);
    expect(after?.data.updatedAt).toBe(before?.data.updatedAt);
  });

  it('finds tracking ids in the title or the summary, in the forms Azure writes them', () => {
    const key = (overrides: Partial<FeedEntry>) => single(overrides).data.incidentKey;
    expect(key({ summary: 'Current Status: investigating. Tracking ID: VLX8-3Z8' })).toBe('azure:VLX8-3Z8');
    expect(key({ title: 'Azure Front Door - West Europe (Tracking ID FNJ8-VQZ)' })).toBe('azure:FNJ8-VQZ');
    expect(key({ summary: 'tracking id: bc_1-fxz' })).toBe('azure:BC_1-FXZ');
    expect(key({ summary: 'A Tracking ID will be shared in Service Health.' })).toMatch(
      /^azure-status:[0-9a-f]{16}$/,
    );
  });

  it('keys by guid, else by an entry-specific link, else by the title without its status word', () => {
    const key = (overrides: Partial<FeedEntry>) => single(overrides).data.incidentKey;
    expect(key({ id: 'a' })).not.toBe(key({ id: 'b' }));
    expect(key({ id: 'a', title: 'Mitigated - Azure Front Door - West Europe' })).toBe(key({ id: 'a' }));
    const byLink = (link: string) => key({ id: null, link });
    expect(byLink(`${STATUS_PAGE}?id=1`)).not.toBe(byLink(`${STATUS_PAGE}?id=2`));
    expect(key({ id: null })).toBe(key({ id: null, title: 'Mitigated - Azure Front Door - West Europe' }));
    expect(key({ id: null })).not.toBe(key({ id: null, title: 'Azure Front Door - East US' }));
  });

  it.each([
    ['Azure Front Door - West Europe', '', 'active', 'Active'],
    [
      'Active - Azure Front Door - West Europe',
      'The issue is resolved for most customers.',
      'active',
      'Active',
    ],
    ['Mitigated - Azure Front Door - West Europe', '', 'resolved', 'Mitigated'],
    ['Azure Front Door - West Europe - Resolved', '', 'resolved', 'Resolved'],
    ['RCA - Azure Front Door - West Europe', '', 'resolved', 'RCA'],
    ['Preliminary Post Incident Review (PIR) – Azure Front Door – West Europe', '', 'resolved', 'RCA'],
    ['Azure Front Door - West Europe', 'Post Incident Review (PIR)\nWhat happened?', 'resolved', 'RCA'],
    ['Azure Front Door - West Europe', 'This issue is now mitigated.', 'resolved', 'Mitigated'],
    ['Azure Front Door - West Europe', 'Customers may see this resolved soon.', 'active', 'Active'],
    ['Azure Front Door - West Europe', 'We will update once it is resolved.', 'active', 'Active'],
    ['Azure Front Door - West Europe', "The issue isn't mitigated yet.", 'active', 'Active'],
    ['Azure Front Door - West Europe', 'A previously resolved issue has recurred.', 'active', 'Active'],
    [
      'Azure Front Door - West Europe',
      'After the rollback, the issue was mitigated.',
      'resolved',
      'Mitigated',
    ],
    [
      'Azure Front Door - West Europe',
      'Impact Statement: errors. Current Status: resolved.',
      'resolved',
      'Resolved',
    ],
  ] as const)('title "%s", summary "%s" → %s (%s)', (title, summary, status, stage) => {
    const { data } = single({ title, summary });
    expect([data.status, data.stage]).toEqual([status, stage]);
    expect(data.severity).toBe(status === 'active' ? 'warning' : 'info');
    expect(data.resolvedAt).toBe(status === 'resolved' ? data.updatedAt : null);
  });

  it.each([
    ['Azure Front Door - West Europe', ['Azure Front Door'], ['West Europe']],
    ['Mitigated - Azure Front Door and Azure CDN - Global', ['Azure Front Door', 'Azure CDN'], ['Global']],
    [
      'Azure Cosmos DB - East US, East US 2, Central US',
      ['Azure Cosmos DB'],
      ['East US', 'East US 2', 'Central US'],
    ],
    ['Azure Storage - Elevated latency - South Africa North', ['Azure Storage'], ['South Africa North']],
    ['Post Incident Review (PIR) – Azure Front Door – Connectivity issues', ['Azure Front Door'], []],
    ['Virtual Machines - Multiple regions', ['Virtual Machines'], []],
    ['Mitigated - Azure Key Vault', ['Azure Key Vault'], []],
    ['Azure Key Vault', [], []],
    ['Multiple services - West Europe', [], ['West Europe']],
    ['Azure Storage - Elevated latency', [], []],
    ['Storage latency in West Europe', [], []],
    ['Azure Front Door - Connectivity issues - Customers in Europe', [], []],
    ['constructor - toString', [], []],
  ] as const)('reads services and regions from "%s" conservatively', (title, services, regions) => {
    const { data } = single({ title });
    expect(data.services).toEqual(services);
    expect(data.regions).toEqual(regions);
  });

  it('uses the feed URL when the entry has no usable link, and bounds the text', () => {
    expect(single({ link: null }).data.links).toEqual([{ label: 'Azure status', url: FEED_URL }]);
    expect(single({ link: 'javascript:alert(1)' }).data.links).toEqual([
      { label: 'Azure status', url: FEED_URL },
    ]);
    const { data } = single({ title: `Azure Front Door - ${'x'.repeat(1000)}`, summary: 'y '.repeat(5000) });
    expect(data.title.length).toBeLessThanOrEqual(300);
    expect(data.summary.length).toBeLessThanOrEqual(4000);
    expect(single({ title: '', summary: 'Impact Statement: errors\nmore' }).data.title).toBe(
      'Impact Statement: errors',
    );
  });

  it('skips an undated entry: without a date, history would look like news', () => {
    expect(createStatusFeedEvents([entry({ published: null })], options)).toEqual([]);
    const dated = createStatusFeedEvents([entry({ published: null }), entry({ id: 'dated-1' })], options);
    expect(dated).toHaveLength(1);
  });
});

describe('Azure status feed events in the engine', () => {
  it('merges with the Service Health incident of the same tracking id', async () => {
    const store = createMemoryStore();
    const serviceHealth = buildAzureServiceHealthEvent({
      trackingId: 'VLX8-3Z8',
      communicationId: '1001',
      stage: 'Active',
      updatedAt: '2026-11-29T09:30:00.000Z',
      startedAt: '2026-11-29T09:12:00.000Z',
      services: ['Azure Front Door'],
      regions: ['West Europe', 'North Europe'],
    });
    const [, active] = await eventsOf('active');
    const [mitigated] = await eventsOf('mitigated');
    const kinds: string[] = [];
    for (const event of [serviceHealth, active, mitigated, active]) {
      if (event === undefined) throw new Error('missing event');
      const now = new Date(Date.parse(event.data.updatedAt) + 60_000);
      kinds.push(...(await processEvent(event, { store, now })).map((d) => `${d.kind}:${d.incidentKey}`));
    }
    expect(kinds).toEqual([
      'open:azure:VLX8-3Z8',
      'update:azure:VLX8-3Z8',
      'resolve:azure:VLX8-3Z8',
      'duplicate:azure:VLX8-3Z8',
    ]);
    expect((await listIncidents(store)).map((incident) => incident.incidentKey)).toEqual(['azure:VLX8-3Z8']);
    const incident = await getIncident(store, 'azure:VLX8-3Z8');
    expect(incident).toMatchObject({
      status: 'resolved',
      origin: 'azure-monitor-common',
      startedAt: '2026-11-29T09:12:00.000Z',
      resolvedAt: '2026-11-29T11:02:00.000Z',
      services: ['Azure Front Door'],
      regions: ['West Europe', 'North Europe'],
    });
    expect(incident?.providerState?.firstPublishedAt).toBe('2026-11-29T09:30:00.000Z');
  });
});
