/**
 * The Azure Service Health and Resource Health mapping shared by the three Azure alert formats: the
 * common alert schema (`data.alertContext`), the legacy activity-log webhook (`data.context.activityLog`)
 * and raw activity-log records. All three carry the same activity-log event, so one mapping gives them
 * identical keys: a copy of an update received through another subscription, format or channel gets
 * the same `updateKey`.
 *
 * Quirks handled (see test/fixtures/azure-monitor-common, azure-activity-log-webhook,
 * azure-activity-log-record and azure-service-health):
 * - `impactedServices` is a JSON-encoded string in real payloads and a real array in the portal's test
 *   action; `ServiceName`/`ImpactedRegions`/`RegionName` are matched case-insensitively, and
 *   `properties.service`/`properties.region` stand in when it is missing;
 * - `level` is a string (`Informational`) or a number (`3`), and raw records wrap enums as
 *   `{value, localizedValue}`; `eventSource` may be numeric (`2`), so the operation name
 *   (`Microsoft.ServiceHealth/…`, `Microsoft.Resourcehealth/…`) identifies the signal then;
 * - `isHIR` and `IsSynthetic` are the strings "false"/"True"; keys vary in case (`ResourceType`);
 * - communications carry HTML and entities (`&quot;`); the legacy `description` is "Active: <title>";
 * - 7-digit fractional seconds and `+00:00` offsets;
 * - Resource Health alerts use `currentHealthStatus/previousHealthStatus/type/cause`, raw records
 *   `healthStatus/healthEventType/healthEventCause/healthEventCategory`;
 * - ids are not always GUIDs (`…-ur8c6-…`), and documentation samples use placeholders (`<GUID>`).
 */
import { createEmptyScope, createProviderEvent } from '../event/create-event.ts';
import type { CrosswatchEvent, Link, ProviderEventData, Scope } from '../event/schema.ts';
import { EVENT_TYPES, type Severity, type Status } from '../event/vocabulary.ts';
import {
  createLookup,
  encodeUriComponentSafe,
  isRecord,
  type JsonRecord,
  parseMaybeJson,
  readBoolean,
  readField,
  readText,
  toToken,
  uniqueStrings,
} from '../util/read.ts';
import { toPlainText, toPlainTitle } from '../util/text.ts';
import { latestTime, toIsoUtc } from '../util/time.ts';
import { InvalidInputError } from './errors.ts';
import type { NormalizeContext } from './input-format.ts';

type Attributes = ProviderEventData['attributes'];
type Category = ProviderEventData['category'];
export type AzureAlertOrigin = Extract<
  ProviderEventData['origin'],
  'azure-monitor-common' | 'azure-activity-log-webhook' | 'azure-activity-log-record'
>;

/** Which health signal an activity-log event is. */
export const HEALTH_SIGNALS = {
  serviceHealth: 'service-health',
  resourceHealth: 'resource-health',
} as const;
export type HealthSignal = (typeof HEALTH_SIGNALS)[keyof typeof HEALTH_SIGNALS];

const SERVICE_HEALTH_URL = 'https://app.azure.com/h/';
const RESOURCE_HEALTH_URL = 'https://portal.azure.com/#resource';
const SUBSCRIPTION_IN_ID = /^\/subscriptions\/([^/]+)/i;
/** Subscription ids usable in the direct link (documentation placeholders such as `<subscription ID>` are not). */
const LINKABLE_SUBSCRIPTION = /^[0-9a-z][0-9a-z-]{4,62}[0-9a-z]$/;
const MAX_TEXT = 500;
const MAX_KEY_PART = 200;
/** Guards against absurdly nested encodings (a JSON string of a JSON string of …). */
const MAX_DECODE_DEPTH = 3;

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

/** Activity-log event levels; the numbers follow the documented sample pair (`level: 3` = Informational). */
const LEVEL_NAMES: ReadonlyMap<string, string> = createLookup({
  '0': 'Critical',
  '1': 'Error',
  '2': 'Warning',
  '3': 'Informational',
  '4': 'Verbose',
  critical: 'Critical',
  error: 'Error',
  warning: 'Warning',
  informational: 'Informational',
  information: 'Informational',
  verbose: 'Verbose',
});

const SEVERITY_BY_LEVEL: ReadonlyMap<string, Severity> = createLookup({
  Critical: 'critical',
  Error: 'error',
  Warning: 'warning',
  Informational: 'info',
  Verbose: 'info',
});

const SEVERITY_BY_ALERT_SEVERITY: ReadonlyMap<string, Severity> = createLookup({
  sev0: 'critical',
  sev1: 'error',
  sev2: 'warning',
  sev3: 'info',
  sev4: 'info',
});

const HEALTH_STATES: ReadonlyMap<string, { name: string; status: Status; severity: Severity }> = createLookup(
  {
    available: { name: 'Available', status: 'resolved', severity: 'info' },
    unavailable: { name: 'Unavailable', status: 'active', severity: 'error' },
    degraded: { name: 'Degraded', status: 'active', severity: 'warning' },
    unknown: { name: 'Unknown', status: 'informational', severity: 'info' },
  },
);

// ---- defensive field access ----------------------------------------------------------------------

/** A field that may arrive JSON-encoded (legacy properties are `Dictionary<String, String>`), as a record. */
export function readRecordField(record: JsonRecord, key: string): JsonRecord | undefined {
  const value = decodeJson(readField(record, key));
  return isRecord(value) ? value : undefined;
}

function readFieldText(record: JsonRecord, key: string, maxLength = MAX_TEXT): string | undefined {
  return readText(readField(record, key), maxLength);
}

function readTime(value: unknown): string | undefined {
  return toIsoUtc(value);
}

/**
 * JSON-decodes strings that hold a JSON array or object, repeatedly (a JSON string literal of encoded
 * JSON is unwrapped too), never throwing.
 */
function decodeJson(value: unknown): unknown {
  let current = value;
  for (let depth = 0; depth < MAX_DECODE_DEPTH && typeof current === 'string'; depth += 1) {
    const trimmed = current.trim();
    let next: unknown = current;
    if (trimmed.length > 1 && trimmed.startsWith('"') && trimmed.endsWith('"')) {
      try {
        next = JSON.parse(trimmed);
      } catch {
        return current;
      }
    } else {
      next = parseMaybeJson(current);
    }
    if (next === current) break;
    current = next;
  }
  return current;
}

/** Strings from an array, a JSON-encoded array or a single string (`alertTargetIDs`). */
export function readStringList(value: unknown): string[] {
  const decoded = decodeJson(value);
  const items = Array.isArray(decoded) ? decoded : [decoded];
  return items.map((item) => readText(item, 2000)).filter((item): item is string => item !== undefined);
}

/** The subscription id at the start of an ARM id (`/subscriptions/<id>/…`), lower-cased. */
export function readSubscriptionOf(id: string | undefined): string | undefined {
  if (id === undefined) return undefined;
  const subscription = SUBSCRIPTION_IN_ID.exec(id.trim())?.[1]?.trim().toLowerCase();
  return subscription ? subscription : undefined;
}

/** The resource type (`Microsoft.Compute/virtualMachines`) named by an ARM resource id, if any. */
export function readResourceTypeOf(resourceId: string): string | undefined {
  const segments = resourceId.split('/');
  const at = segments.map((segment) => segment.toLowerCase()).lastIndexOf('providers');
  if (at < 0) return undefined;
  const namespace = segments[at + 1];
  const types: string[] = [];
  for (let index = at + 2; index < segments.length; index += 2) {
    const type = segments[index];
    if (type) types.push(type);
  }
  return namespace && types.length > 0 ? `${namespace}/${types.join('/')}` : undefined;
}

// ---- classification --------------------------------------------------------------------------------

function signalOfToken(token: string): HealthSignal | undefined {
  if (token === 'servicehealth') return HEALTH_SIGNALS.serviceHealth;
  if (token === 'resourcehealth') return HEALTH_SIGNALS.resourceHealth;
  return undefined;
}

/** `Microsoft.ServiceHealth/incident/action` → service health; `Microsoft.Resourcehealth/…` → resource health. */
function signalOfOperation(operationName: string | undefined): HealthSignal | undefined {
  const provider = operationName?.trim().split('/')[0]?.toLowerCase();
  if (provider === 'microsoft.servicehealth') return HEALTH_SIGNALS.serviceHealth;
  if (provider === 'microsoft.resourcehealth') return HEALTH_SIGNALS.resourceHealth;
  return undefined;
}

export interface ActivityClassification {
  /** The health signal, or undefined when the event is something else (Administrative, Policy, …). */
  readonly signal: HealthSignal | undefined;
  /** The field that named the event (`category`, `eventSource`, `operationName`), for the ignore reason. */
  readonly field: string | undefined;
  /** What that field said. */
  readonly label: string | undefined;
}

/**
 * Classifies an activity-log event (an alertContext, a legacy activityLog or a raw record) by its
 * `category`/`eventSource` (case- and space-insensitive). When those are missing or numeric (the
 * documented `eventSource: 2`), the operation name decides.
 */
export function classifyActivityEvent(record: JsonRecord): ActivityClassification {
  const named: { field: string; label: string }[] = [];
  for (const field of ['category', 'eventSource']) {
    const label = readFieldText(record, field, 100);
    if (label === undefined) continue;
    const signal = signalOfToken(toToken(label));
    if (signal !== undefined) return { signal, field, label };
    named.push({ field, label });
  }
  const word = named.find(({ label }) => !/^\d+$/.test(label));
  if (word !== undefined) return { signal: undefined, ...word };
  const operationName = readFieldText(record, 'operationName', 300);
  const signal = signalOfOperation(operationName);
  if (signal !== undefined || operationName !== undefined) {
    return { signal, field: 'operationName', label: operationName };
  }
  return { signal: undefined, field: named[0]?.field, label: named[0]?.label };
}

/** The health signal named by a common-schema `monitoringService` ('ServiceHealth', 'Resource Health'). */
export function classifyMonitoringService(value: unknown): HealthSignal | undefined {
  return signalOfToken(toToken(value));
}

// ---- impacted services ------------------------------------------------------------------------------

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

// ---- the input view -----------------------------------------------------------------------------

/** One activity-log event, as the three Azure formats carry it. */
export interface AzureHealthInput {
  /** The event: a common-schema `alertContext`, a legacy `activityLog` or a raw activity-log record. */
  readonly record: JsonRecord;
  /** The dotted path of `record` in the input (`data.alertContext`, `value[2]`, '' at the top). */
  readonly path: string;
  /** The common-schema `essentials`, when the alert has them. */
  readonly essentials?: JsonRecord | undefined;
}

interface EventView {
  readonly record: JsonRecord;
  readonly properties: JsonRecord;
  readonly essentials: JsonRecord;
  /** The input path of a field of `record` (`data.alertContext.eventTimestamp`). */
  readonly fieldPath: (key: string) => string;
  /** The input path of a property (`data.alertContext.properties.trackingId`). */
  readonly propertyPath: (key: string) => string;
  readonly where: string;
}

function createEventView(input: AzureHealthInput): EventView {
  const prefix = input.path ? `${input.path}.` : '';
  return {
    record: input.record,
    properties: readRecordField(input.record, 'properties') ?? {},
    essentials: input.essentials ?? {},
    fieldPath: (key) => `${prefix}${key}`,
    propertyPath: (key) => `${prefix}properties.${key}`,
    where: input.path || 'the event',
  };
}

interface EventTimes {
  readonly eventAt: string | undefined;
  readonly updatedAt: string;
}

function readEventTimes(view: EventView, context: NormalizeContext): EventTimes {
  const eventTimestamp = readField(view.record, 'eventTimestamp');
  const submissionTimestamp = readField(view.record, 'submissionTimestamp');
  const eventAt = readTime(eventTimestamp);
  // Alerts often repeat the event time as the submission time: parse it once.
  const submittedAt = submissionTimestamp === eventTimestamp ? eventAt : readTime(submissionTimestamp);
  const updatedAt =
    latestTime(eventAt, submittedAt) ??
    readTime(readField(view.essentials, 'firedDateTime')) ??
    context.receivedAt;
  return { eventAt, updatedAt };
}

/** The alert's targets (`essentials.alertTargetIDs`), then the event's own resource and subscription. */
function readTargetIds(view: EventView): string[] {
  return uniqueStrings([
    ...readStringList(readField(view.essentials, 'alertTargetIDs')),
    readFieldText(view.record, 'resourceId', 2000),
  ]);
}

function readSubscriptionIds(view: EventView, targetIds: string[]): string[] {
  return uniqueStrings([
    ...targetIds.map(readSubscriptionOf),
    readFieldText(view.record, 'subscriptionId', 200)?.toLowerCase(),
  ]);
}

function readLevel(view: EventView): { name: string | undefined; severity: Severity | undefined } {
  const raw = readFieldText(view.record, 'level', 100);
  if (raw === undefined) return { name: undefined, severity: undefined };
  const name = LEVEL_NAMES.get(/^\d+$/.test(raw) ? raw : toToken(raw));
  return { name: name ?? raw, severity: name === undefined ? undefined : SEVERITY_BY_LEVEL.get(name) };
}

/** Attributes from the essentials, common to both signals. */
function addEssentialsAttributes(attributes: Attributes, view: EventView): void {
  for (const key of ['alertRule', 'alertId', 'monitorCondition'] as const) {
    const value = readFieldText(view.essentials, key, 1000);
    if (value !== undefined) attributes[key] = value;
  }
}

// ---- Service Health --------------------------------------------------------------------------------

/** The Service Health direct link: `https://app.azure.com/h/<trackingId>/<first 3 + last 3 of the subscription>`. */
export function buildServiceHealthLink(trackingId: string, subscriptionId: string | undefined): string {
  const base = `${SERVICE_HEALTH_URL}${encodeUriComponentSafe(trackingId)}`;
  const subscription = subscriptionId?.toLowerCase();
  if (subscription === undefined || !LINKABLE_SUBSCRIPTION.test(subscription)) return base;
  return `${base}/${subscription.slice(0, 3)}${subscription.slice(-3)}`;
}

function readCategory(view: EventView, notices: string[]): { category: Category; incidentType?: string } {
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
  view: EventView,
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
  view: EventView,
  category: Category,
  level: ReturnType<typeof readLevel>,
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

function firstPlainText(...values: unknown[]): string {
  for (const value of values) {
    const text = toPlainText(value);
    if (text) return text;
  }
  return '';
}

function firstPlainTitle(...values: unknown[]): string {
  for (const value of values) {
    const text = toPlainTitle(value);
    if (text) return text;
  }
  return '';
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
  const view = createEventView(input);
  const { properties, record } = view;
  const rawTrackingId = readFieldText(properties, 'trackingId', MAX_KEY_PART);
  if (rawTrackingId === undefined) {
    throw new InvalidInputError(
      origin,
      view.propertyPath('trackingId'),
      'is missing: a Service Health event needs its trackingId',
    );
  }
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
  let resolvedAt: string | null = null;
  if (status === 'resolved') {
    // A cancellation ends nothing at the planned end, and a mitigation time after the update is a plan.
    const canceled = toToken(stage) === 'canceled' || toToken(stage) === 'cancelled';
    resolvedAt = !canceled && mitigatedAt !== undefined && mitigatedAt <= updatedAt ? mitigatedAt : updatedAt;
  }

  const communicationId = readFieldText(properties, 'communicationId', MAX_KEY_PART);
  let updateIdentity = communicationId ?? times.eventAt;
  if (updateIdentity === undefined) {
    updateIdentity = updatedAt;
    notices.push(
      `${view.where}: properties.communicationId and eventTimestamp are missing; the update is identified by ${updatedAt === context.receivedAt ? 'the time it was received' : 'its latest provider time'}`,
    );
  }
  const updateKey = `${incidentKey}:${updateIdentity}:${(stage ?? eventStatus ?? status).toLowerCase()}`;

  const impacted = parseImpactedServices(readField(properties, 'impactedServices'));
  const services =
    impacted.services.length > 0
      ? impacted.services
      : uniqueStrings([readFieldText(properties, 'service', 300)]);
  const regions =
    impacted.regions.length > 0
      ? impacted.regions
      : uniqueStrings([readFieldText(properties, 'region', 300)]);

  const targetIds = readTargetIds(view);
  const scope: Scope = createEmptyScope();
  scope.subscriptionIds = readSubscriptionIds(view, targetIds);

  const title =
    firstPlainTitle(readField(properties, 'defaultLanguageTitle'), readField(properties, 'title')) ||
    readFallbackTitle(record, stage) ||
    `Azure ${incidentType ?? 'Service Health event'} ${trackingId}`;
  const summary =
    firstPlainText(readField(properties, 'defaultLanguageContent'), readField(properties, 'communication')) ||
    title;

  const attributes: Attributes = { trackingId: rawTrackingId };
  const optional: [string, string | boolean | undefined][] = [
    ['communicationId', communicationId],
    ['incidentType', incidentType],
    ['stage', stage],
    ['level', level.name],
    ['isHIR', readBoolean(readField(properties, 'isHIR'))],
    ['maintenanceId', readFieldText(properties, 'maintenanceId', MAX_KEY_PART)],
    ['isSynthetic', readBoolean(readField(properties, 'IsSynthetic'))],
    ['impactType', readFieldText(properties, 'impactType', 100)],
    ['eventDataId', readFieldText(record, 'eventDataId', MAX_KEY_PART)],
    ['correlationId', readFieldText(record, 'correlationId', MAX_KEY_PART)],
  ];
  for (const [key, value] of optional) if (value !== undefined) attributes[key] = value;
  addEssentialsAttributes(attributes, view);
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

// ---- Resource Health -------------------------------------------------------------------------------

function buildResourceHealthLink(resourceId: string): string {
  const path = resourceId
    .split('/')
    .map((segment) => encodeUriComponentSafe(segment))
    .join('/');
  return `${RESOURCE_HEALTH_URL}${path.startsWith('/') ? '' : '/'}${path}/resourceHealth`;
}

/** The resource the alert is about (as sent): the first alert target, else the event's `resourceId`. */
function readResourceId(view: EventView): string | undefined {
  const target = readStringList(readField(view.essentials, 'alertTargetIDs'))[0];
  return target ?? readFieldText(view.record, 'resourceId', 2000);
}

/**
 * A Resource Health alert (a resource's availability changed) as an `io.crosswatch.resource.health`
 * event. Accepts the alert names (`currentHealthStatus`, `previousHealthStatus`, `type`, `cause`) and the
 * raw activity-log names (`healthStatus`, `healthEventType`, `healthEventCause`, `healthEventCategory`).
 */
export function buildResourceHealthEvent(
  input: AzureHealthInput,
  context: NormalizeContext,
  origin: AzureAlertOrigin,
  notices: string[] = [],
): CrosswatchEvent {
  const view = createEventView(input);
  const { properties, record } = view;
  const eventDataId = readFieldText(record, 'eventDataId', MAX_KEY_PART);
  const correlationId = readFieldText(record, 'correlationId', MAX_KEY_PART);
  const sentResourceId = readResourceId(view);
  const resourceId = sentResourceId?.toLowerCase();
  let incidentKey: string;
  if (resourceId !== undefined) {
    incidentKey = `azure-resource:${resourceId}`;
  } else {
    // A bare alertContext names no resource: the operation is the best identity there is.
    const operation = (
      correlationId ??
      eventDataId ??
      readFieldText(record, 'operationId', MAX_KEY_PART)
    )?.toLowerCase();
    if (operation === undefined) {
      throw new InvalidInputError(
        origin,
        view.fieldPath('resourceId'),
        'is missing: a Resource Health event needs the resource it is about (or a correlationId)',
      );
    }
    incidentKey = `azure-resource:unknown:${operation}`;
    notices.push(
      `${view.where} names no resource (no essentials.alertTargetIDs or resourceId); keyed by its correlationId`,
    );
  }

  const rawHealth =
    readFieldText(properties, 'currentHealthStatus', 100) ?? readFieldText(properties, 'healthStatus', 100);
  let state = HEALTH_STATES.get(toToken(rawHealth));
  if (state === undefined) {
    state = HEALTH_STATES.get('unknown') ?? { name: 'Unknown', status: 'informational', severity: 'info' };
    notices.push(
      rawHealth === undefined
        ? `${view.propertyPath('currentHealthStatus')} is missing; treated as Unknown`
        : `${view.propertyPath('currentHealthStatus')} "${rawHealth}" is not a known health status; treated as Unknown`,
    );
  }
  const health = rawHealth ?? state.name;

  const times = readEventTimes(view, context);
  const { updatedAt } = times;
  const updateIdentity =
    eventDataId?.toLowerCase() ?? correlationId?.toLowerCase() ?? times.eventAt ?? updatedAt;
  const updateKey = `${incidentKey}:${updateIdentity}:${health.toLowerCase()}`;

  const resourceType =
    readFieldText(record, 'resourceType', 300) ??
    (sentResourceId === undefined ? undefined : readResourceTypeOf(sentResourceId));
  const targetIds = readTargetIds(view);
  const scope = createEmptyScope();
  scope.resourceIds = resourceId === undefined ? [] : [resourceId];
  scope.subscriptionIds = readSubscriptionIds(view, targetIds);

  const resourceName = resourceId?.split('/').filter(Boolean).pop();
  const title =
    firstPlainTitle(readField(properties, 'title')) ||
    `${resourceName ?? 'Azure resource'}: ${toPlainTitle(health, 100) || state.name}`;
  const summary = firstPlainText(readField(properties, 'details')) || title;

  const attributes: Attributes = { currentHealthStatus: health };
  const optional: [string, string | undefined][] = [
    ['previousHealthStatus', readFieldText(properties, 'previousHealthStatus', 100)],
    ['type', readFieldText(properties, 'type', 100) ?? readFieldText(properties, 'healthEventType', 100)],
    ['cause', readFieldText(properties, 'cause', 100) ?? readFieldText(properties, 'healthEventCause', 100)],
    ['healthEventCategory', readFieldText(properties, 'healthEventCategory', 100)],
    ['resourceType', resourceType],
    ['level', readLevel(view).name],
    ['eventDataId', eventDataId],
    ['correlationId', correlationId],
  ];
  for (const [key, value] of optional) if (value !== undefined) attributes[key] = value;
  addEssentialsAttributes(attributes, view);

  const resolved = state.status === 'resolved';
  return createProviderEvent(EVENT_TYPES.resourceHealth, {
    schemaVersion: 1,
    provider: 'azure',
    origin,
    incidentKey,
    updateKey,
    category: 'resource-health',
    status: state.status,
    severity: state.severity,
    title,
    summary,
    services: uniqueStrings([resourceType]),
    regions: [],
    scope,
    startedAt: resolved ? null : (times.eventAt ?? null),
    updatedAt,
    resolvedAt: resolved ? (times.eventAt ?? updatedAt) : null,
    links:
      resourceId === undefined
        ? []
        : [{ label: 'Azure Resource Health', url: buildResourceHealthLink(resourceId) }],
    evidence: context.evidence,
    stage: readFieldText(properties, 'stage', 100) ?? readFieldText(record, 'status', 100) ?? null,
    attributes,
  });
}

/** Builds the event for a classified health signal. */
export function buildHealthEvent(
  signal: HealthSignal,
  input: AzureHealthInput,
  context: NormalizeContext,
  origin: AzureAlertOrigin,
  notices: string[],
): CrosswatchEvent {
  return signal === HEALTH_SIGNALS.serviceHealth
    ? buildServiceHealthEvent(input, context, origin, notices)
    : buildResourceHealthEvent(input, context, origin, notices);
}

/** The `ignored` reason for an event that is not a health signal. */
export function describeIgnoredEvent(kind: string, field: string, label: string | undefined): string {
  return label === undefined
    ? `${kind} without ${field} is not a health signal`
    : `${kind} with ${field} "${readText(label, 100) ?? label}" is not a health signal`;
}
