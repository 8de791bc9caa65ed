/**
 * An Azure Resource Health alert (a resource's availability changed) as an
 * `io.crosswatch.resource.health` event, the same for the three Azure alert formats.
 *
 * Quirks handled (see test/fixtures/azure-monitor-common and azure-activity-log-record): alerts use
 * `currentHealthStatus/previousHealthStatus/type/cause`, raw records
 * `healthStatus/healthEventType/healthEventCause/healthEventCategory`; a bare alertContext names no
 * resource, so its operation is keyed instead. An update is keyed by its eventDataId, correlationId or
 * operationId; an alert with none of them is rejected (InvalidInputError), never keyed by its time.
 */
import { createEmptyScope, createProviderEvent } from '../event/create-event.ts';
import type { CrosswatchEvent, ProviderEventData } from '../event/schema.ts';
import { EVENT_TYPES, type Severity, type Status } from '../event/vocabulary.ts';
import { createLookup, encodeUriComponentSafe, readField, toToken, uniqueStrings } from '../util/read.ts';
import { toPlainTitle } from '../util/text.ts';
import {
  firstPlainText,
  firstPlainTitle,
  MAX_KEY_PART,
  readFieldText,
  readResourceTypeOf,
  readStringList,
} from './azure-activity-fields.ts';
import {
  type AzureAlertOrigin,
  type AzureAlertView,
  type AzureHealthInput,
  addEssentialsAttributes,
  createAlertView,
  readEventTimes,
  readLevel,
  readSubscriptionIds,
  readTargetIds,
} from './azure-alert-view.ts';
import { InvalidInputError } from './errors.ts';
import type { NormalizeContext } from './input-format.ts';

type Attributes = ProviderEventData['attributes'];

interface HealthState {
  readonly name: string;
  readonly status: Status;
  readonly severity: Severity;
}

const RESOURCE_HEALTH_URL = 'https://portal.azure.com/#resource';

const HEALTH_STATES: ReadonlyMap<string, HealthState> = createLookup({
  available: { name: 'Available', status: 'resolved', severity: 'info' },
  unavailable: { name: 'Unavailable', status: 'active', severity: 'error' },
  degraded: { name: 'Degraded', status: 'active', severity: 'warning' },
  unknown: { name: 'Unknown', status: 'informational', severity: 'info' },
});

function buildResourceHealthLink(resourceId: string): string {
  const path = resourceId
    .split('/')
    .map((segment) => encodeUriComponentSafe(segment))
    .join('/');
  return `${RESOURCE_HEALTH_URL}${path.startsWith('/') ? '' : '/'}${path}/resourceHealth`;
}

/** The resource the alert is about (as sent): the first alert target, else the event's `resourceId`. */
function readResourceId(view: AzureAlertView): string | undefined {
  const target = readStringList(readField(view.essentials, 'alertTargetIDs'))[0];
  return target ?? readFieldText(view.record, 'resourceId', 2000);
}

/** The resource, or (a bare alertContext names none) the operation, with a notice; neither: rejected. */
function readResourceIncidentKey(
  view: AzureAlertView,
  resourceId: string | undefined,
  correlationId: string | undefined,
  eventDataId: string | undefined,
  origin: AzureAlertOrigin,
  notices: string[],
): string {
  if (resourceId !== undefined) return `azure-resource:${resourceId}`;
  // A bare alertContext names no resource: the operation is the best identity there is.
  const operation = (
    correlationId ??
    eventDataId ??
    readFieldText(view.record, 'operationId', MAX_KEY_PART)
  )?.toLowerCase();
  if (operation === undefined) {
    throw new InvalidInputError(
      origin,
      view.fieldPath('resourceId'),
      'is missing: a Resource Health event needs the resource it is about (or a correlationId)',
    );
  }
  notices.push(
    `${view.where} names no resource (no essentials.alertTargetIDs or resourceId); keyed by its correlationId`,
  );
  return `azure-resource:unknown:${operation}`;
}

/**
 * What makes this update the same update when it is sent again: its eventDataId, else its
 * correlationId, else its operationId. Without any of them it is rejected (the pipeline keeps it as a
 * failed input) rather than keyed by its timestamp: a resend with another timestamp would notify again,
 * and two changes in the same second would be one.
 */
function readUpdateIdentity(
  view: AzureAlertView,
  eventDataId: string | undefined,
  correlationId: string | undefined,
  origin: AzureAlertOrigin,
): string {
  const identity = eventDataId ?? correlationId ?? readFieldText(view.record, 'operationId', MAX_KEY_PART);
  if (identity === undefined) {
    throw new InvalidInputError(
      origin,
      view.fieldPath('eventDataId'),
      'is missing: a Resource Health event needs a stable id (eventDataId, correlationId or operationId)',
    );
  }
  return identity.toLowerCase();
}

/** The health state named by the event; an unknown or missing one is Unknown, with a notice. */
function readHealthState(
  view: AzureAlertView,
  rawHealth: string | undefined,
  notices: string[],
): HealthState {
  const state = HEALTH_STATES.get(toToken(rawHealth));
  if (state !== undefined) return state;
  notices.push(
    rawHealth === undefined
      ? `${view.propertyPath('currentHealthStatus')} is missing; treated as Unknown`
      : `${view.propertyPath('currentHealthStatus')} "${rawHealth}" is not a known health status; treated as Unknown`,
  );
  return HEALTH_STATES.get('unknown') ?? { name: 'Unknown', status: 'informational', severity: 'info' };
}

/** The health status, then every optional field under its alert or raw activity-log name, then the essentials'. */
function readResourceHealthAttributes(
  view: AzureAlertView,
  health: string,
  resourceType: string | undefined,
  eventDataId: string | undefined,
  correlationId: string | undefined,
): Attributes {
  const { properties } = view;
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
  return attributes;
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
  const view = createAlertView(input);
  const { properties, record } = view;
  const eventDataId = readFieldText(record, 'eventDataId', MAX_KEY_PART);
  const correlationId = readFieldText(record, 'correlationId', MAX_KEY_PART);
  const sentResourceId = readResourceId(view);
  const resourceId = sentResourceId?.toLowerCase();
  const incidentKey = readResourceIncidentKey(view, resourceId, correlationId, eventDataId, origin, notices);

  const rawHealth =
    readFieldText(properties, 'currentHealthStatus', 100) ?? readFieldText(properties, 'healthStatus', 100);
  const state = readHealthState(view, rawHealth, notices);
  const health = rawHealth ?? state.name;

  const times = readEventTimes(view, context);
  const { updatedAt } = times;
  const updateIdentity = readUpdateIdentity(view, eventDataId, correlationId, origin);
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
  const attributes = readResourceHealthAttributes(view, health, resourceType, eventDataId, correlationId);

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
