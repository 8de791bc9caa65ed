/**
 * One Azure activity-log event as both health event builders read it: the event record, its
 * (possibly JSON-encoded) `properties`, the common-schema `essentials` when the alert has them, and
 * the input paths notices name. Also the readings both signals share: times, targets, subscriptions,
 * level and the essentials' attributes.
 *
 * Quirks handled: `level` is a string (`Informational`) or a number (`3`); 7-digit fractional
 * seconds and `+00:00` offsets; alerts often repeat the event time as the submission time.
 */
import type { ProviderEventData } from '../event/schema.ts';
import type { Severity } from '../event/vocabulary.ts';
import { createLookup, type JsonRecord, readField, toToken, uniqueStrings } from '../util/read.ts';
import { latestTime } from '../util/time.ts';
import {
  readFieldText,
  readRecordField,
  readStringList,
  readSubscriptionOf,
  readTime,
} from './azure-activity-fields.ts';
import type { NormalizeContext } from './input-format.ts';

type Attributes = ProviderEventData['attributes'];

export type AzureAlertOrigin = Extract<
  ProviderEventData['origin'],
  'azure-monitor-common' | 'azure-activity-log-webhook' | 'azure-activity-log-record'
>;

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

/** One activity-log event, as the three Azure formats carry it. */
export interface AzureHealthInput {
  /** The event: a common-schema `alertContext`, a legacy `activityLog` or a raw activity-log record. */
  readonly record: JsonRecord;
  /** The dotted path of `record` in the input (`data.alertContext`, `value[2]`, '' at the top). */
  readonly path: string;
  /** The common-schema `essentials`, when the alert has them. */
  readonly essentials?: JsonRecord | undefined;
}

export interface AzureAlertView {
  readonly record: JsonRecord;
  readonly properties: JsonRecord;
  readonly essentials: JsonRecord;
  /** The input path of a field of `record` (`data.alertContext.eventTimestamp`). */
  readonly fieldPath: (key: string) => string;
  /** The input path of a property (`data.alertContext.properties.trackingId`). */
  readonly propertyPath: (key: string) => string;
  readonly where: string;
}

export function createAlertView(input: AzureHealthInput): AzureAlertView {
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

export interface EventTimes {
  readonly eventAt: string | undefined;
  readonly updatedAt: string;
}

export function readEventTimes(view: AzureAlertView, context: NormalizeContext): EventTimes {
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
export function readTargetIds(view: AzureAlertView): string[] {
  return uniqueStrings([
    ...readStringList(readField(view.essentials, 'alertTargetIDs')),
    readFieldText(view.record, 'resourceId', 2000),
  ]);
}

export function readSubscriptionIds(view: AzureAlertView, targetIds: string[]): string[] {
  return uniqueStrings([
    ...targetIds.map(readSubscriptionOf),
    readFieldText(view.record, 'subscriptionId', 200)?.toLowerCase(),
  ]);
}

export interface EventLevel {
  readonly name: string | undefined;
  readonly severity: Severity | undefined;
}

export function readLevel(view: AzureAlertView): EventLevel {
  const raw = readFieldText(view.record, 'level', 100);
  if (raw === undefined) return { name: undefined, severity: undefined };
  const name = LEVEL_NAMES.get(/^\d+$/.test(raw) ? raw : toToken(raw));
  return { name: name ?? raw, severity: name === undefined ? undefined : SEVERITY_BY_LEVEL.get(name) };
}

/** Attributes from the essentials, common to both signals. */
export function addEssentialsAttributes(attributes: Attributes, view: AzureAlertView): void {
  for (const key of ['alertRule', 'alertId', 'monitorCondition'] as const) {
    const value = readFieldText(view.essentials, key, 1000);
    if (value !== undefined) attributes[key] = value;
  }
}
