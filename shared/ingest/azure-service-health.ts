/**
 * An Azure Service Health event (incident, security, maintenance, informational, action required)
 * as an `io.crosswatch.provider.incident` event, the same for the three Azure alert formats: the
 * common alert schema (`data.alertContext`), the legacy activity-log webhook
 * (`data.context.activityLog`) and raw activity-log records. All three carry the same activity-log
 * event, so one mapping gives them identical keys: a copy of an update received through another
 * subscription, format or channel gets the same `updateKey`.
 *
 * Quirks handled (see test/fixtures/azure-service-health):
 * - `impactedServices` is a JSON-encoded string in real payloads and a real array in the portal's test
 *   action; `ServiceName`/`ImpactedRegions`/`RegionName` are matched case-insensitively, and
 *   `properties.service`/`properties.region` stand in when it is missing;
 * - `isHIR` and `IsSynthetic` are the strings "false"/"True";
 * - communications carry HTML and entities (`&quot;`); the legacy `description` is "Active: <title>".
 */
import { createEmptyScope, createProviderEvent } from '../event/create-event.ts';
import type { CrosswatchEvent, Link, ProviderEventData, Scope } from '../event/schema.ts';
import { EVENT_TYPES, type Severity, type Status } from '../event/vocabulary.ts';
import {
  createLookup,
  encodeUriComponentSafe,
  isRecord,
  type JsonRecord,
  readBoolean,
  readField,
  readText,
  toToken,
  uniqueStrings,
} from '../util/read.ts';
import {
  decodeJson,
  firstPlainText,
  firstPlainTitle,
  MAX_KEY_PART,
  readFieldText,
  readTime,
} from './azure-activity-fields.ts';
import {
  type AzureAlertOrigin,
  type AzureAlertView,
  type AzureHealthInput,
  addEssentialsAttributes,
  createAlertView,
  type EventLevel,
  type EventTimes,
  readEventTimes,
  readLevel,
  readSubscriptionIds,
  readTargetIds,
} from './azure-alert-view.ts';
import { InvalidInputError } from './errors.ts';
import type { NormalizeContext } from './input-format.ts';

type Attributes = ProviderEventData['attributes'];
type Category = ProviderEventData['category'];

const SERVICE_HEALTH_URL = 'https://app.azure.com/h/';
/** Subscription ids usable in the direct link (documentation placeholders such as `<subscription ID>` are not). */
const LINKABLE_SUBSCRIPTION = /^[0-9a-z][0-9a-z-]{4,62}[0-9a-z]$/;

const CATEGORY_BY_INCIDENT_TYPE: ReadonlyMap<string, Category> = createLookup({
  incident: 'incident',
  security: 'security',
  maintenance: 'maintenance',
  informational: 'advisory',
  information: 'advisory',
  info: 'advisory',
  actionrequired: 'action-required',
});

const STATUS_BY_STAGE: ReadonlyMap<string, Status> = createLookup({
  active: 'active',
  inprogress: 'active',
  resolved: 'resolved',
  rca: 'resolved',
  complete: 'resolved',
  completed: 'resolved',
  canceled: 'resolved',
  cancelled: 'resolved',
  planned: 'scheduled',
  rescheduled: 'scheduled',
});

/** The activity-log `status` of a Service Health event, used when `stage` is missing. */
const STATUS_BY_EVENT_STATUS: ReadonlyMap<string, Status> = createLookup({
  active: 'active',
  activated: 'active',
  inprogress: 'active',
  updated: 'active',
  resolved: 'resolved',
});

const SEVERITY_BY_ALERT_SEVERITY: ReadonlyMap<string, Severity> = createLookup({
  sev0: 'critical',
  sev1: 'error',
  sev2: 'warning',
  sev3: 'info',
  sev4: 'info',
});

export interface ImpactedServices {
  readonly services: string[];
  readonly regions: string[];
}

/**
 * Parses `impactedServices`: a JSON-encoded string (real payloads) or a real array (the portal's test
 * action) of `{ServiceName, ImpactedRegions: [{RegionName}]}`, keys matched case-insensitively. Never
 * throws; anything unusable yields empty lists.
 */
export function parseImpactedServices(value: unknown): ImpactedServices {
  const services: string[] = [];
  const regions: string[] = [];
  const decoded = decodeJson(value);
  const entries = Array.isArray(decoded) ? decoded : isRecord(decoded) ? [decoded] : [];
  for (const entry of entries) {
    if (!isRecord(entry)) continue;
    const service = readFieldText(entry, 'ServiceName', 300);
    if (service !== undefined) services.push(service);
    const listed = decodeJson(readField(entry, 'ImpactedRegions'));
    for (const region of Array.isArray(listed) ? listed : [listed]) {
      const name = isRecord(region)
        ? readFieldText(region, 'RegionName', 300)
        : typeof region === 'string'
          ? readText(region, 300)
          : undefined;
      if (name !== undefined) regions.push(name);
    }
  }
  return { services: uniqueStrings(services), regions: uniqueStrings(regions) };
}

/** `impactedServices`, with `properties.service`/`properties.region` standing in for an empty list. */
function readImpactedServices(properties: JsonRecord): ImpactedServices {
  const impacted = parseImpactedServices(readField(properties, 'impactedServices'));
  if (impacted.services.length > 0 && impacted.regions.length > 0) return impacted;
  return {
    services:
      impacted.services.length > 0
        ? impacted.services
        : uniqueStrings([readFieldText(properties, 'service', 300)]),
    regions:
      impacted.regions.length > 0
        ? impacted.regions
        : uniqueStrings([readFieldText(properties, 'region', 300)]),
  };
}

/** The Service Health direct link: `https://app.azure.com/h/<trackingId>/<first 3 + last 3 of the subscription>`. */
export function buildServiceHealthLink(trackingId: string, subscriptionId: string | undefined): string {
  const base = `${SERVICE_HEALTH_URL}${encodeUriComponentSafe(trackingId)}`;
  const subscription = subscriptionId?.toLowerCase();
  if (subscription === undefined || !LINKABLE_SUBSCRIPTION.test(subscription)) return base;
  return `${base}/${subscription.slice(0, 3)}${subscription.slice(-3)}`;
}

/** `properties.trackingId` as sent; a Service Health event without one is rejected. */
function readTrackingId(view: AzureAlertView, origin: AzureAlertOrigin): string {
  const rawTrackingId = readFieldText(view.properties, 'trackingId', MAX_KEY_PART);
  if (rawTrackingId === undefined) {
    throw new InvalidInputError(
      origin,
      view.propertyPath('trackingId'),
      'is missing: a Service Health event needs its trackingId',
    );
  }
  return rawTrackingId;
}

function readCategory(
  view: AzureAlertView,
  notices: string[],
): { category: Category; incidentType?: string } {
  const incidentType = readFieldText(view.properties, 'incidentType', 100);
  if (incidentType !== undefined) {
    const category = CATEGORY_BY_INCIDENT_TYPE.get(toToken(incidentType));
    if (category !== undefined) return { category, incidentType };
    notices.push(
      `${view.propertyPath('incidentType')} "${incidentType}" is not a known incident type; treated as an advisory`,
    );
    return { category: 'advisory', incidentType };
  }
  // `Microsoft.ServiceHealth/<type>/action` names the type too.
  const operationType = readFieldText(view.record, 'operationName', 300)?.split('/')[1];
  const category = CATEGORY_BY_INCIDENT_TYPE.get(toToken(operationType));
  if (category !== undefined) return { category };
  notices.push(`${view.propertyPath('incidentType')} is missing; treated as an advisory`);
  return { category: 'advisory' };
}

function readServiceHealthStatus(
  view: AzureAlertView,
  category: Category,
  stage: string | undefined,
  notices: string[],
): Status {
  let status: Status | undefined;
  if (stage !== undefined) {
    status = STATUS_BY_STAGE.get(toToken(stage));
    if (status === undefined) notices.push(`${view.propertyPath('stage')} "${stage}" is not a known stage`);
  }
  if (status === undefined) {
    const eventStatus = readFieldText(view.record, 'status', 100);
    status = STATUS_BY_EVENT_STATUS.get(toToken(eventStatus));
    if (status === undefined) {
      status = 'active';
      if (stage === undefined) {
        notices.push(
          `${view.propertyPath('stage')} is missing and ${view.fieldPath('status')} ${eventStatus === undefined ? 'is missing' : `"${eventStatus}" is not Active or Resolved`}; treated as active`,
        );
      }
    }
  }
  return status === 'active' && category === 'advisory' ? 'informational' : status;
}

function readServiceHealthSeverity(
  view: AzureAlertView,
  category: Category,
  level: EventLevel,
  notices: string[],
): Severity {
  if (level.severity !== undefined) return level.severity;
  if (level.name !== undefined) {
    notices.push(`${view.fieldPath('level')} "${level.name}" is not a known level`);
  }
  const alertSeverity = SEVERITY_BY_ALERT_SEVERITY.get(toToken(readField(view.essentials, 'severity')));
  if (alertSeverity !== undefined) return alertSeverity;
  return category === 'incident' || category === 'security' ? 'warning' : 'info';
}

/** When a resolved event ended: the mitigation time, unless it was canceled or the time is still a plan. */
function readResolvedAt(
  status: Status,
  stage: string | undefined,
  mitigatedAt: string | undefined,
  updatedAt: string,
): string | null {
  if (status !== 'resolved') return null;
  // A cancellation ends nothing at the planned end, and a mitigation time after the update is a plan.
  const canceled = toToken(stage) === 'canceled' || toToken(stage) === 'cancelled';
  return !canceled && mitigatedAt !== undefined && mitigatedAt <= updatedAt ? mitigatedAt : updatedAt;
}

/** What tells this update apart: the communication, else the event time, else (with a notice) the latest time. */
function readUpdateIdentity(
  view: AzureAlertView,
  communicationId: string | undefined,
  times: EventTimes,
  context: NormalizeContext,
  notices: string[],
): string {
  const updateIdentity = communicationId ?? times.eventAt;
  if (updateIdentity !== undefined) return updateIdentity;
  const { updatedAt } = times;
  notices.push(
    `${view.where}: properties.communicationId and eventTimestamp are missing; the update is identified by ${updatedAt === context.receivedAt ? 'the time it was received' : 'its latest provider time'}`,
  );
  return updatedAt;
}

/** The legacy `description` is "<Stage>: <title>"; without a title field it is the title, minus the stage. */
function stripStagePrefix(description: string, stage: string | undefined): string {
  const match = /^([A-Za-z ]{1,20}):\s*(.+)$/s.exec(description);
  if (!match?.[1] || !match[2]) return description;
  const token = toToken(match[1]);
  return token === toToken(stage) || STATUS_BY_STAGE.get(token) !== undefined ? match[2] : description;
}

/** Without a title property: the event description (minus its stage prefix), then the alert's copy of it. */
function readFallbackTitle(record: JsonRecord, stage: string | undefined): string {
  const description = readText(readField(record, 'description'), 1000);
  return firstPlainTitle(
    description === undefined ? undefined : stripStagePrefix(description, stage),
    readField(record, 'Activity Log Event Description'),
  );
}

function readServiceHealthTitle(
  view: AzureAlertView,
  stage: string | undefined,
  incidentType: string | undefined,
  trackingId: string,
): string {
  const { properties, record } = view;
  return (
    firstPlainTitle(readField(properties, 'defaultLanguageTitle'), readField(properties, 'title')) ||
    readFallbackTitle(record, stage) ||
    `Azure ${incidentType ?? 'Service Health event'} ${trackingId}`
  );
}

/** The tracking id as sent, then every optional identifier and flag the event carries, then the essentials'. */
function readServiceHealthAttributes(
  view: AzureAlertView,
  rawTrackingId: string,
  communicationId: string | undefined,
  incidentType: string | undefined,
  stage: string | undefined,
  levelName: string | undefined,
): Attributes {
  const { properties, record } = view;
  const attributes: Attributes = { trackingId: rawTrackingId };
  const optional: [string, string | boolean | undefined][] = [
    ['communicationId', communicationId],
    ['incidentType', incidentType],
    ['stage', stage],
    ['level', levelName],
    ['isHIR', readBoolean(readField(properties, 'isHIR'))],
    ['maintenanceId', readFieldText(properties, 'maintenanceId', MAX_KEY_PART)],
    ['isSynthetic', readBoolean(readField(properties, 'IsSynthetic'))],
    ['impactType', readFieldText(properties, 'impactType', 100)],
    ['eventDataId', readFieldText(record, 'eventDataId', MAX_KEY_PART)],
    ['correlationId', readFieldText(record, 'correlationId', MAX_KEY_PART)],
  ];
  for (const [key, value] of optional) if (value !== undefined) attributes[key] = value;
  addEssentialsAttributes(attributes, view);
  return attributes;
}

/**
 * A Service Health alert (incident, security, maintenance, informational, action required) as an
 * `io.crosswatch.provider.incident` event. Throws InvalidInputError when `properties.trackingId` is
 * missing; unknown enum values are kept with a notice.
 */
export function buildServiceHealthEvent(
  input: AzureHealthInput,
  context: NormalizeContext,
  origin: AzureAlertOrigin,
  notices: string[] = [],
): CrosswatchEvent {
  const view = createAlertView(input);
  const { properties, record } = view;
  const rawTrackingId = readTrackingId(view, origin);
  const trackingId = rawTrackingId.toUpperCase();
  const incidentKey = `azure:${trackingId}`;

  const { category, incidentType } = readCategory(view, notices);
  const stage = readFieldText(properties, 'stage', 100);
  const eventStatus = readFieldText(record, 'status', 100);
  const status = readServiceHealthStatus(view, category, stage, notices);
  const level = readLevel(view);
  const severity = readServiceHealthSeverity(view, category, level, notices);

  const times = readEventTimes(view, context);
  const { updatedAt } = times;
  const startedAt = readTime(readField(properties, 'impactStartTime')) ?? null;
  const mitigatedAt = readTime(readField(properties, 'impactMitigationTime'));
  const resolvedAt = readResolvedAt(status, stage, mitigatedAt, updatedAt);

  const communicationId = readFieldText(properties, 'communicationId', MAX_KEY_PART);
  const updateIdentity = readUpdateIdentity(view, communicationId, times, context, notices);
  const updateKey = `${incidentKey}:${updateIdentity}:${(stage ?? eventStatus ?? status).toLowerCase()}`;

  const { services, regions } = readImpactedServices(properties);

  const targetIds = readTargetIds(view);
  const scope: Scope = createEmptyScope();
  scope.subscriptionIds = readSubscriptionIds(view, targetIds);

  const title = readServiceHealthTitle(view, stage, incidentType, trackingId);
  const summary =
    firstPlainText(readField(properties, 'defaultLanguageContent'), readField(properties, 'communication')) ||
    title;

  const attributes = readServiceHealthAttributes(
    view,
    rawTrackingId,
    communicationId,
    incidentType,
    stage,
    level.name,
  );
  if (category === 'maintenance' && status !== 'resolved' && mitigatedAt !== undefined) {
    attributes.plannedEnd = mitigatedAt;
  }

  const links: Link[] = [
    { label: 'Azure Service Health', url: buildServiceHealthLink(trackingId, scope.subscriptionIds[0]) },
  ];

  return createProviderEvent(EVENT_TYPES.providerIncident, {
    schemaVersion: 1,
    provider: 'azure',
    origin,
    incidentKey,
    updateKey,
    category,
    status,
    severity,
    title,
    summary,
    services,
    regions,
    scope,
    startedAt,
    updatedAt,
    resolvedAt,
    links,
    evidence: context.evidence,
    stage: stage ?? eventStatus ?? null,
    attributes,
  });
}
