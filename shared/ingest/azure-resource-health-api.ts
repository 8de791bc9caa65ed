/**
 * Azure Resource Health REST API (2025-04-01) responses, as polled by crosswatch: service health events
 * (`Microsoft.ResourceHealth/events`), resource availability statuses and the resources an event impacts.
 * Accepts single objects, `{ value: [...], nextLink? }` pages and bare arrays (one event per item), both in
 * the ARM wire shape (`properties` nested) and as `@azure/arm-resourcehealth` returns them (properties
 * flattened onto the item, times as `Date`).
 *
 * Quirks handled (see the fixtures under test/fixtures/azure-resource-health-api):
 * - the trackingId is the item `name` (= last `id` segment; `links[].parameters.trackingId` repeats it);
 * - `level` and `eventLevel` disagree (both kept), `impact[]` is a real array with per-region status,
 *   subscriptions and tenants (tenants absent in older versions), `article.articleContent` is `<html>`;
 * - availability statuses use the misspelt `occuredTime`, and their ids may contain the typo
 *   `AvailabilityStatueses` (the resource id is cut generically at `/providers/Microsoft.ResourceHealth/`);
 * - impacted resources are heterogeneous: target resource fields, or only `info[]` key/value pairs;
 * - pages carry `nextLink`: the caller must follow it (a notice says so).
 */

import { createEmptyScope, createProviderEvent } from '../event/create-event.ts';
import type { CrosswatchEvent, Link, ProviderEventData, Scope } from '../event/schema.ts';
import { EVENT_TYPES, type Severity, type Status } from '../event/vocabulary.ts';
import {
  asArray,
  createLookup,
  isRecord,
  type JsonRecord,
  parseMaybeJson,
  readBoolean,
  readField,
  readString,
  toToken,
  uniqueStrings,
} from '../util/read.ts';
import { toPlainText, toPlainTitle } from '../util/text.ts';
import { toIsoUtc } from '../util/time.ts';
import { readResourceTypeOf } from './azure-activity-fields.ts';
import { InvalidInputError, NormalizeError } from './errors.ts';
import type { FormatResult, InputFormat, NormalizeContext } from './input-format.ts';

const FORMAT = 'azure-resource-health-api';
/** How many list items `matches` inspects: enough to skip a few malformed ones, cheap on huge pages. */
const MATCH_SCAN_LIMIT = 32;
const MAX_INFO_ATTRIBUTES = 50;
const RH_PROVIDER = '/providers/microsoft.resourcehealth/';
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z$/;
const SUBSCRIPTION_IN_ID = /^\/subscriptions\/([^/]+)/i;

type Attributes = ProviderEventData['attributes'];
type Category = ProviderEventData['category'];
type ItemKind = 'event' | 'availability' | 'impacted';

const CATEGORY_BY_EVENT_TYPE: ReadonlyMap<string, Category> = createLookup({
  serviceissue: 'incident',
  emergingissues: 'incident',
  rca: 'incident',
  plannedmaintenance: 'maintenance',
  healthadvisory: 'advisory',
  billing: 'advisory',
  securityadvisory: 'security',
});

const SEVERITY_BY_LEVEL: ReadonlyMap<string, Severity> = createLookup({
  critical: 'critical',
  error: 'error',
  warning: 'warning',
  informational: 'info',
  information: 'info',
});

const AVAILABILITY: ReadonlyMap<string, { status: Status; severity: Severity }> = createLookup({
  available: { status: 'resolved', severity: 'info' },
  unavailable: { status: 'active', severity: 'error' },
  degraded: { status: 'active', severity: 'warning' },
  unknown: { status: 'informational', severity: 'info' },
});

// ---- defensive field access ----------------------------------------------------------------------

/**
 * One API item: its own fields (id, name, type, location) and its properties, nested (`properties`,
 * the ARM shape) or flattened onto the item (the SDK shape).
 */
interface ItemView {
  readonly item: JsonRecord;
  readonly nested: boolean;
  /** The dotted path of the item in the input (`value[2]`), '' for a single object. */
  readonly path: string;
  get(key: string): unknown;
  text(key: string): string | undefined;
  /** The input path of a property, for error messages. */
  fieldPath(key: string): string;
}

function createItemView(item: JsonRecord, path: string): ItemView {
  const properties = parseMaybeJson(readField(item, 'properties'));
  const props = isRecord(properties) ? properties : undefined;
  const get = (key: string): unknown => (props ? readField(props, key) : undefined) ?? readField(item, key);
  const prefix = path ? `${path}.` : '';
  return {
    item,
    nested: props !== undefined,
    path,
    get,
    text: (key) => readTrimmed(get(key)),
    fieldPath: (key) => `${prefix}${props ? 'properties.' : ''}${key}`,
  };
}

function readTrimmed(value: unknown): string | undefined {
  const text = readString(value)?.trim();
  return text ? text : undefined;
}

/** ISO UTC `…Z`, from provider strings, epoch numbers or the SDK's `Date` objects. */
function readTime(value: unknown): string | undefined {
  let iso: string | undefined;
  if (value instanceof Date) iso = Number.isNaN(value.getTime()) ? undefined : value.toISOString();
  else iso = toIsoUtc(value);
  // Years beyond 9999 serialize as `+010000-…`, which is not an emitted time.
  return iso !== undefined && ISO_UTC.test(iso) ? iso : undefined;
}

function readNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  const text = readString(value)?.trim();
  if (text === undefined || !/^-?\d{1,15}(?:\.\d{1,6})?$/.test(text)) return undefined;
  return Number(text);
}

function readStrings(value: unknown): string[] {
  return asArray(parseMaybeJson(value))
    .map((entry) => readTrimmed(entry))
    .filter((entry): entry is string => entry !== undefined);
}

/** Plain text on one line, without HTML interpretation (resource names such as `<resourceId>`). */
function toOneLine(value: string, maxLength = 300): string {
  return value
    .replace(/[\s\p{Cc}]+/gu, ' ')
    .trim()
    .slice(0, maxLength);
}

function lastSegment(path: string): string | undefined {
  const segments = path.split('/').filter((segment) => segment.length > 0);
  return segments[segments.length - 1];
}

function subscriptionOf(id: string | undefined): string | undefined {
  return id === undefined ? undefined : SUBSCRIPTION_IN_ID.exec(id)?.[1]?.toLowerCase();
}

/** The part of an id before `/providers/Microsoft.ResourceHealth/` (the scope it was listed under). */
function splitAtResourceHealth(id: string): { scope: string; rest: string } | undefined {
  const at = id.toLowerCase().lastIndexOf(RH_PROVIDER);
  if (at < 0) return undefined;
  return { scope: id.slice(0, at), rest: id.slice(at) };
}

// ---- links ------------------------------------------------------------------------------------------

const URI_UNSAFE = /[^A-Za-z0-9\-._~!$&'()*+,;=:@/?%]/gu;

function encodeUnsafe(part: string): string {
  return part
    .replace(URI_UNSAFE, (char) =>
      [...Buffer.from(char, 'utf8')]
        .map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)
        .join(''),
    )
    .replace(/%(?![0-9A-Fa-f]{2})/g, '%25');
}

/** A strict RFC 3986 http(s) URL (credentials dropped), or undefined. */
function toHttpUrl(value: unknown): string | undefined {
  const text = readTrimmed(value);
  if (text === undefined || text.length > 2048 || !/^https?:\/\//i.test(text)) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.host.length === 0) return undefined;
  const hash = url.hash.length > 1 ? `#${encodeUnsafe(url.hash.slice(1))}` : '';
  return `${url.protocol}//${url.host}${encodeUnsafe(url.pathname)}${encodeUnsafe(url.search)}${hash}`;
}

function addLink(links: Link[], label: string | undefined, url: string | undefined): void {
  if (url === undefined || links.some((link) => link.url === url)) return;
  links.push({ label: label ? toPlainTitle(label, 120) || 'Link' : 'Link', url });
}

function serviceHealthLink(trackingId: string): string {
  return `https://app.azure.com/h/${encodeURIComponent(trackingId)}`;
}

/** `links[]` entries are mostly portal blade links; keep those that carry an http(s) URL somewhere. */
function readEventLinks(view: ItemView, trackingId: string): Link[] {
  const links: Link[] = [];
  addLink(links, 'Azure Service Health', serviceHealthLink(trackingId));
  for (const entry of asArray(parseMaybeJson(view.get('links')))) {
    if (!isRecord(entry)) continue;
    const label = readTrimmed(readField(entry, 'displayText'));
    const direct = ['url', 'href', 'uri', 'link'].map((key) => toHttpUrl(readField(entry, key)));
    let url = direct.find((candidate) => candidate !== undefined);
    if (url === undefined) {
      const parameters = readField(entry, 'parameters');
      if (isRecord(parameters)) {
        for (const parameter of Object.values(parameters)) {
          url = toHttpUrl(parameter);
          if (url !== undefined) break;
        }
      }
    }
    addLink(links, label, url);
  }
  return links;
}

// ---- classification ---------------------------------------------------------------------------------

function classifyType(type: string): ItemKind | undefined {
  const lower = type.toLowerCase();
  if (lower.includes('microsoft.resourcehealth/events/impactedresources')) return 'impacted';
  if (lower.includes('microsoft.resourcehealth/availabilitystatuses')) return 'availability';
  if (/microsoft\.resourcehealth\/events(?:\/|$)/.test(lower)) return 'event';
  return undefined;
}

function classifyId(id: string): ItemKind | undefined {
  const lower = id.toLowerCase();
  const at = lower.lastIndexOf(RH_PROVIDER);
  if (at < 0) return undefined;
  const rest = lower.slice(at + RH_PROVIDER.length);
  if (/^events\/[^/]+\/impactedresources\/[^/]+\/?$/.test(rest)) return 'impacted';
  if (/^availabilitystat[a-z]*\/[^/]+\/?$/.test(rest)) return 'availability';
  if (/^events\/[^/]+\/?$/.test(rest)) return 'event';
  return undefined;
}

/** What kind of Resource Health item this is: by `type`, or by `id` path when there is no type. */
function classifyItem(value: unknown): ItemKind | undefined {
  if (!isRecord(value)) return undefined;
  const type = readString(value.type);
  if (type !== undefined) return classifyType(type);
  const id = readString(value.id);
  return id === undefined ? undefined : classifyId(id);
}

interface ListShape {
  readonly items: unknown[];
  readonly prefix: string;
  readonly nextLink: string | undefined;
}

function readListShape(document: unknown): ListShape | undefined {
  if (Array.isArray(document)) return { items: document, prefix: '', nextLink: undefined };
  if (isRecord(document) && Array.isArray(document.value) && classifyItem(document) === undefined) {
    return { items: document.value, prefix: 'value', nextLink: readTrimmed(document.nextLink) };
  }
  return undefined;
}

// ---- events -------------------------------------------------------------------------------------

interface RegionImpact {
  readonly region: string | undefined;
  readonly status: string | undefined;
  readonly lastUpdateTime: string | undefined;
}

function readImpact(view: ItemView) {
  const services: string[] = [];
  const regions: RegionImpact[] = [];
  const subscriptionIds: string[] = [];
  const tenantIds: string[] = [];
  for (const impact of asArray(parseMaybeJson(view.get('impact')))) {
    if (!isRecord(impact)) continue;
    const service = readTrimmed(readField(impact, 'impactedService'));
    if (service) services.push(service);
    for (const region of asArray(parseMaybeJson(readField(impact, 'impactedRegions')))) {
      if (!isRecord(region)) continue;
      regions.push({
        region: readTrimmed(readField(region, 'impactedRegion')),
        status: readTrimmed(readField(region, 'status')),
        lastUpdateTime: readTime(readField(region, 'lastUpdateTime')),
      });
      for (const id of readStrings(readField(region, 'impactedSubscriptions')))
        subscriptionIds.push(id.toLowerCase());
      tenantIds.push(...readStrings(readField(region, 'impactedTenants')));
    }
  }
  return { services, regions, subscriptionIds, tenantIds };
}

function readTrackingId(view: ItemView): string {
  const id = readTrimmed(view.item.id);
  const fromLinks = asArray(parseMaybeJson(view.get('links')))
    .map((link) =>
      isRecord(link) ? readTrimmed(readPathField(link, 'parameters', 'trackingId')) : undefined,
    )
    .find((value) => value !== undefined);
  const found = readTrimmed(view.item.name) ?? (id ? lastSegment(id) : undefined) ?? fromLinks;
  const trackingId = found === undefined ? '' : toOneLine(found, 200);
  if (trackingId === '') {
    throw new InvalidInputError(
      FORMAT,
      `${view.path ? `${view.path}.` : ''}name`,
      'is missing: a Resource Health event needs its trackingId (name or id)',
    );
  }
  return trackingId;
}

function readPathField(record: JsonRecord, ...path: string[]): unknown {
  let current: unknown = record;
  for (const key of path) {
    if (!isRecord(current)) return undefined;
    current = readField(current, key);
  }
  return current;
}

function firstPlainText(...values: unknown[]): string {
  for (const value of values) {
    const text = toPlainText(value);
    if (text) return text;
  }
  return '';
}

type Impact = ReturnType<typeof readImpact>;

function readServiceEventCategory(eventType: string | undefined, where: string, notices: string[]): Category {
  const category = CATEGORY_BY_EVENT_TYPE.get(toToken(eventType));
  if (category !== undefined) return category;
  notices.push(
    eventType === undefined
      ? `${where}: eventType is missing; treated as an advisory`
      : `${where}: unknown eventType "${toOneLine(eventType, 60)}"; treated as an advisory`,
  );
  return 'advisory';
}

/** The latest per-region update time, standing in for an event without its own lastUpdateTime. */
function readLatestRegionUpdate(impact: Impact): string | undefined {
  let regionUpdate: string | undefined;
  for (const region of impact.regions) {
    if (region.lastUpdateTime && (regionUpdate === undefined || region.lastUpdateTime > regionUpdate))
      regionUpdate = region.lastUpdateTime;
  }
  return regionUpdate;
}

/** RCA and Resolved are resolved, future maintenance is scheduled; an unknown status counts as Active. */
function readServiceEventStatus(
  rawStatus: string | undefined,
  eventType: string | undefined,
  category: Category,
  startedAt: string | null,
  updatedAt: string,
  where: string,
  notices: string[],
): Status {
  const statusToken = toToken(rawStatus);
  let status: Status;
  if (toToken(eventType) === 'rca' || statusToken === 'resolved') status = 'resolved';
  else if (category === 'maintenance' && startedAt !== null && startedAt > updatedAt) status = 'scheduled';
  else status = category === 'advisory' ? 'informational' : 'active';
  if (rawStatus !== undefined && statusToken !== 'active' && statusToken !== 'resolved') {
    notices.push(`${where}: unknown status "${toOneLine(rawStatus, 60)}"; treated as Active`);
  }
  return status;
}

/** The subscription (or resource) the event was listed under, then the subscriptions and tenants it impacts. */
function readServiceEventScope(view: ItemView, impact: Impact): Scope {
  const listedUnder = splitAtResourceHealth(readTrimmed(view.item.id) ?? '')?.scope ?? '';
  const scope: Scope = createEmptyScope();
  scope.subscriptionIds = uniqueStrings([subscriptionOf(listedUnder), ...impact.subscriptionIds]);
  scope.tenantIds = uniqueStrings(impact.tenantIds);
  // listBySingleResource: the event was listed under a resource id.
  if (/^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/./i.test(listedUnder)) {
    scope.resourceIds = [listedUnder.toLowerCase()];
  }
  return scope;
}

function readServiceEventAttributes(
  view: ItemView,
  trackingId: string,
  eventType: string | undefined,
  level: string | undefined,
  eventLevel: string | undefined,
  impact: Impact,
): Attributes {
  const regionStatuses = uniqueStrings(
    impact.regions.map(({ region, status: regionStatus }) =>
      region === undefined ? undefined : regionStatus === undefined ? region : `${region}:${regionStatus}`,
    ),
  );
  const attributes: Attributes = {
    trackingId,
    eventType: eventType ?? null,
    eventSource: view.text('eventSource') ?? null,
    level: level ?? null,
    eventLevel: eventLevel ?? null,
    isHIR: readBoolean(view.get('isHIR')) ?? null,
    hirStage: view.text('hirStage') ?? null,
    priority: readNumber(view.get('priority')) ?? null,
    regionStatuses: regionStatuses.length > 0 ? regionStatuses.join(',') : null,
  };
  const eventSubType = view.text('eventSubType');
  if (eventSubType !== undefined) attributes.eventSubType = eventSubType;
  const optional: [string, string | boolean | undefined][] = [
    ['externalIncidentId', view.text('externalIncidentId')],
    ['impactType', view.text('impactType')],
    ['isEventSensitive', readBoolean(view.get('isEventSensitive'))],
    ['platformInitiated', readBoolean(view.get('platformInitiated'))],
    ['eventTags', readStrings(view.get('eventTags')).join(',') || undefined],
  ];
  for (const [key, value] of optional) if (value !== undefined) attributes[key] = value;
  return attributes;
}

function normalizeServiceEvent(
  view: ItemView,
  context: NormalizeContext,
  notices: string[],
): CrosswatchEvent {
  const trackingId = readTrackingId(view);
  const incidentKey = `azure:${trackingId.toUpperCase()}`;
  const where = view.path ? `${view.path} (${trackingId})` : trackingId;

  const eventType = view.text('eventType');
  const category = readServiceEventCategory(eventType, where, notices);
  const impact = readImpact(view);
  const lastUpdateTime = readTime(view.get('lastUpdateTime'));
  // The event's own lastUpdateTime is the update's identity; the latest per-region time stands in for it.
  const updatedAt = lastUpdateTime ?? readLatestRegionUpdate(impact) ?? context.receivedAt;
  const startedAt = readTime(view.get('impactStartTime')) ?? null;
  const mitigatedAt = readTime(view.get('impactMitigationTime'));
  const rawStatus = view.text('status');
  const status = readServiceEventStatus(rawStatus, eventType, category, startedAt, updatedAt, where, notices);

  const level = view.text('level');
  const eventLevel = view.text('eventLevel');
  const severity: Severity =
    SEVERITY_BY_LEVEL.get(toToken(level)) ??
    SEVERITY_BY_LEVEL.get(toToken(eventLevel)) ??
    (category === 'incident' || category === 'security' ? 'warning' : 'info');

  const article = view.get('article');
  const title =
    toPlainTitle(view.get('title')) ||
    toPlainTitle(view.get('header')) ||
    `Azure ${eventType ? toOneLine(eventType, 60) : 'service health event'} ${trackingId}`;
  const summary = firstPlainText(
    view.get('summary'),
    isRecord(article) ? readField(article, 'articleContent') : article,
    view.get('description'),
    view.get('header'),
  );

  return createProviderEvent(EVENT_TYPES.providerIncident, {
    schemaVersion: 1,
    provider: 'azure',
    origin: FORMAT,
    incidentKey,
    updateKey: `${incidentKey}:api:${(rawStatus ?? status).toLowerCase()}:${lastUpdateTime ?? updatedAt}`,
    category,
    status,
    severity,
    title,
    summary,
    services: uniqueStrings(impact.services),
    regions: uniqueStrings(impact.regions.map((region) => region.region)),
    scope: readServiceEventScope(view, impact),
    startedAt,
    updatedAt,
    resolvedAt: status === 'resolved' ? (mitigatedAt ?? updatedAt) : null,
    links: readEventLinks(view, trackingId),
    evidence: context.evidence,
    stage: toToken(eventType) === 'rca' ? 'RCA' : (rawStatus ?? null),
    attributes: readServiceEventAttributes(view, trackingId, eventType, level, eventLevel, impact),
  });
}

// ---- availability statuses ------------------------------------------------------------------------

interface AvailabilityResource {
  /** The resource id as listed (the part before `/providers/Microsoft.ResourceHealth/`). */
  readonly resourcePart: string;
  readonly resourceName: string;
  readonly resourceId: string;
}

/** The resource an availability status is for, cut from its id. */
function readAvailabilityResource(view: ItemView): AvailabilityResource {
  const idPath = `${view.path ? `${view.path}.` : ''}id`;
  const id = readTrimmed(view.item.id);
  if (id === undefined) throw new InvalidInputError(FORMAT, idPath, 'is missing or not a string');
  const resourcePart = splitAtResourceHealth(id)?.scope ?? id;
  const resourceName = lastSegment(resourcePart);
  if (resourceName === undefined) {
    throw new InvalidInputError(FORMAT, idPath, 'does not name the resource the availability status is for');
  }
  return { resourcePart, resourceName, resourceId: resourcePart.toLowerCase() };
}

/** The summary, then the detailed status when it says something else; else the title. */
function readAvailabilitySummary(view: ItemView): string {
  const summaryText = toPlainText(view.get('summary'));
  const detailedStatus = toPlainText(view.get('detailedStatus'));
  return (
    [summaryText, detailedStatus !== summaryText ? detailedStatus : ''].filter(Boolean).join('\n') ||
    toPlainText(view.get('title'))
  );
}

/** The recommended actions: their text, and their links. */
function readRecommendedActions(view: ItemView): { readonly actions: string[]; readonly links: Link[] } {
  const links: Link[] = [];
  const actions: string[] = [];
  for (const action of asArray(parseMaybeJson(view.get('recommendedActions')))) {
    if (!isRecord(action)) continue;
    const text = readTrimmed(readField(action, 'action'));
    if (text) actions.push(toOneLine(text, 500));
    addLink(
      links,
      readTrimmed(readField(action, 'actionUrlText')) ?? 'Recommended action',
      toHttpUrl(readField(action, 'actionUrl')),
    );
  }
  return { actions, links };
}

function readAvailabilityAttributes(view: ItemView, state: string, actions: readonly string[]): Attributes {
  const attributes: Attributes = {
    availabilityState: state,
    reasonType: view.text('reasonType') ?? null,
    reasonChronicity: view.text('reasonChronicity') ?? null,
    category: view.text('category') ?? null,
    context: view.text('context') ?? null,
    resolutionETA: readTime(view.get('resolutionETA')) ?? null,
    rootCauseAttributionTime: readTime(view.get('rootCauseAttributionTime')) ?? null,
    recommendedActions: actions.length > 0 ? actions.join(' | ') : null,
  };
  for (const key of [
    'healthEventId',
    'healthEventType',
    'healthEventCause',
    'healthEventCategory',
    'articleId',
  ]) {
    const value = view.text(key);
    if (value !== undefined) attributes[key] = value;
  }
  const correlated = uniqueStrings(
    asArray(view.get('serviceImpactingEvents')).map((entry) =>
      isRecord(entry) ? readTrimmed(readField(entry, 'correlationId')) : undefined,
    ),
  );
  if (correlated.length > 0) attributes.serviceImpactingTrackingIds = correlated.join(',');
  return attributes;
}

function normalizeAvailabilityStatus(
  view: ItemView,
  context: NormalizeContext,
  notices: string[],
): CrosswatchEvent {
  const { resourcePart, resourceName, resourceId } = readAvailabilityResource(view);
  const state = view.text('availabilityState');
  if (state === undefined) {
    throw new InvalidInputError(FORMAT, view.fieldPath('availabilityState'), 'is missing or not a string');
  }
  let mapped = AVAILABILITY.get(toToken(state));
  if (mapped === undefined) {
    mapped = AVAILABILITY.get('unknown') ?? { status: 'informational', severity: 'info' };
    notices.push(
      `${view.path || resourceName}: unknown availabilityState "${toOneLine(state, 60)}"; treated as Unknown`,
    );
  }

  const incidentKey = `azure-resource:${resourceId}`;
  const occurredAt = readTime(view.get('occuredTime')) ?? readTime(view.get('occurredTime'));
  const reportedAt = readTime(view.get('reportedTime'));
  const updatedAt = reportedAt ?? occurredAt ?? context.receivedAt;
  const recentlyResolved = view.get('recentlyResolved');
  const resolvedTime = isRecord(recentlyResolved)
    ? readTime(readField(recentlyResolved, 'resolvedTime'))
    : undefined;
  const summary = readAvailabilitySummary(view);
  const { actions, links } = readRecommendedActions(view);
  const attributes = readAvailabilityAttributes(view, state, actions);

  const scope = createEmptyScope();
  scope.resourceIds = [resourceId];
  scope.subscriptionIds = uniqueStrings([subscriptionOf(resourceId)]);
  const resourceType = readResourceTypeOf(resourcePart);

  return createProviderEvent(EVENT_TYPES.resourceHealth, {
    schemaVersion: 1,
    provider: 'azure',
    origin: FORMAT,
    incidentKey,
    updateKey: `${incidentKey}:${state.toLowerCase()}:${occurredAt ?? reportedAt ?? context.receivedAt}`,
    category: 'resource-health',
    status: mapped.status,
    severity: mapped.severity,
    title: toOneLine(`${resourceName}: ${state}`),
    summary,
    services: uniqueStrings([resourceType]),
    regions: uniqueStrings([readTrimmed(view.item.location) ?? view.text('location')]),
    scope,
    startedAt: occurredAt ?? null,
    updatedAt,
    resolvedAt: mapped.status === 'resolved' ? (resolvedTime ?? updatedAt) : null,
    links,
    evidence: context.evidence,
    stage: state,
    attributes,
  });
}

// ---- impacted resources -----------------------------------------------------------------------------

function normalizeImpactedResource(view: ItemView, context: NormalizeContext): CrosswatchEvent {
  const idPath = `${view.path ? `${view.path}.` : ''}id`;
  const id = readTrimmed(view.item.id);
  if (id === undefined) throw new InvalidInputError(FORMAT, idPath, 'is missing or not a string');
  const match = /\/events\/([^/]+)\/impactedresources(?:\/|$)/i.exec(id);
  const trackingId = match?.[1] ? toOneLine(match[1], 200) : undefined;
  if (!trackingId) {
    throw new InvalidInputError(FORMAT, idPath, 'does not contain events/<trackingId>/impactedResources');
  }
  const incidentKey = `azure:${trackingId.toUpperCase()}`;
  const targetResourceId = view.text('targetResourceId');
  const targetResourceType = view.text('targetResourceType');
  const targetRegion = view.text('targetRegion');
  // Without a target resource the item itself is the identity, minus the scope it was listed under.
  const identity = targetResourceId ?? splitAtResourceHealth(id)?.rest ?? id;

  const attributes: Attributes = {
    trackingId,
    impactedResourceId: id,
    targetResourceType: targetResourceType ?? null,
    targetResourceId: targetResourceId ?? null,
    targetRegion: targetRegion ?? null,
  };
  for (const key of ['resourceName', 'resourceGroup', 'status']) {
    const value = view.text(key);
    if (value !== undefined) attributes[key] = value;
  }
  for (const key of ['maintenanceStartTime', 'maintenanceEndTime']) {
    const value = readTime(view.get(key));
    if (value !== undefined) attributes[key] = value;
  }
  const info: string[] = [];
  for (const entry of asArray(parseMaybeJson(view.get('info')))) {
    if (!isRecord(entry) || info.length >= MAX_INFO_ATTRIBUTES) continue;
    const key = readTrimmed(readField(entry, 'key'));
    if (key === undefined) continue;
    const value = readString(readField(entry, 'value')) ?? null;
    attributes[`info.${toOneLine(key, 100)}`] = value;
    info.push(`${toOneLine(key, 100)}=${value ?? ''}`);
  }

  const scope = createEmptyScope();
  if (targetResourceId) scope.resourceIds = [targetResourceId.toLowerCase()];
  scope.subscriptionIds = uniqueStrings([subscriptionOf(targetResourceId), subscriptionOf(id)]);

  const target = targetResourceId
    ? `${targetResourceId}${targetResourceType || targetRegion ? ` (${[targetResourceType, targetRegion].filter(Boolean).join(', ')})` : ''}`
    : undefined;
  const summary = target
    ? `Azure reports that resource ${target} is impacted by service health event ${trackingId}.`
    : `Azure reports a resource impacted by service health event ${trackingId}${info.length > 0 ? `: ${info.join(', ')}` : ''}.`;

  return createProviderEvent(EVENT_TYPES.resourceHealth, {
    schemaVersion: 1,
    provider: 'azure',
    origin: FORMAT,
    incidentKey,
    updateKey: `${incidentKey}:impacted:${identity.toLowerCase()}`,
    category: 'resource-health',
    status: 'active',
    severity: 'warning',
    title: `Resource impacted by ${trackingId}`,
    summary: toOneLine(summary, 8000),
    services: uniqueStrings([targetResourceType]),
    regions: uniqueStrings([targetRegion]),
    scope,
    startedAt: readTime(view.get('maintenanceStartTime')) ?? null,
    updatedAt: context.receivedAt,
    resolvedAt: null,
    links: [{ label: 'Azure Service Health', url: serviceHealthLink(trackingId) }],
    evidence: context.evidence,
    stage: null,
    attributes,
  });
}

// ---- the format -------------------------------------------------------------------------------------

function normalizeItem(
  kind: ItemKind,
  view: ItemView,
  context: NormalizeContext,
  notices: string[],
): CrosswatchEvent {
  switch (kind) {
    case 'event':
      return normalizeServiceEvent(view, context, notices);
    case 'availability':
      return normalizeAvailabilityStatus(view, context, notices);
    case 'impacted':
      return normalizeImpactedResource(view, context);
  }
}

function normalizeList(list: ListShape, context: NormalizeContext): FormatResult {
  const events: CrosswatchEvent[] = [];
  const notices: string[] = [];
  let firstError: NormalizeError | undefined;
  for (const [index, item] of list.items.entries()) {
    const path = `${list.prefix}[${index}]`;
    const kind = classifyItem(item);
    if (kind === undefined || !isRecord(item)) {
      notices.push(`${path} skipped: not a Resource Health event, availability status or impacted resource`);
      continue;
    }
    try {
      events.push(normalizeItem(kind, createItemView(item, path), context, notices));
    } catch (error) {
      if (!(error instanceof NormalizeError)) throw error;
      firstError ??= error;
      notices.push(`${path} skipped: ${error.message}`);
    }
  }
  if (events.length === 0) {
    throw firstError ?? new InvalidInputError(FORMAT, list.prefix || '[]', 'holds no Resource Health item');
  }
  if (list.nextLink !== undefined) {
    notices.push(
      'the list has more pages (nextLink): only this page was normalized; follow nextLink for the rest',
    );
  }
  return { events, notices };
}

function isResourceHealthDocument(document: unknown): boolean {
  if (classifyItem(document) !== undefined) return true;
  const list = readListShape(document);
  if (list === undefined) return false;
  const scan = Math.min(list.items.length, MATCH_SCAN_LIMIT);
  for (let index = 0; index < scan; index += 1)
    if (classifyItem(list.items[index]) !== undefined) return true;
  return false;
}

export const azureResourceHealthApiFormat: InputFormat = {
  id: FORMAT,

  matches(document) {
    try {
      return isResourceHealthDocument(document);
    } catch {
      return false;
    }
  },

  normalize(document, context) {
    const kind = classifyItem(document);
    if (kind !== undefined && isRecord(document)) {
      const notices: string[] = [];
      const event = normalizeItem(kind, createItemView(document, ''), context, notices);
      return { events: [event], notices };
    }
    const list = readListShape(document);
    if (list === undefined) {
      throw new InvalidInputError(
        FORMAT,
        'type',
        'does not name a Resource Health event, availability status or impacted resource',
      );
    }
    return normalizeList(list, context);
  },
};
