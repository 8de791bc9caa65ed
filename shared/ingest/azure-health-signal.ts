/**
 * Which health signal an Azure activity-log event is (Service Health or Resource Health), told the
 * same way for the three Azure alert formats, and the event built for it. Anything else is ignored
 * with the reason.
 *
 * Quirks handled: `eventSource` may be numeric (`2`), so the operation name
 * (`Microsoft.ServiceHealth/…`, `Microsoft.Resourcehealth/…`) identifies the signal then; labels vary
 * in case and spacing (`Resource Health`, `ResourceHealth`).
 */
import type { CrosswatchEvent } from '../event/schema.ts';
import { type JsonRecord, readText, toToken } from '../util/read.ts';
import { readFieldText } from './azure-activity-fields.ts';
import type { AzureAlertOrigin, AzureHealthInput } from './azure-alert-view.ts';
import { buildResourceHealthEvent } from './azure-resource-health-alert.ts';
import { buildServiceHealthEvent } from './azure-service-health.ts';
import type { NormalizeContext } from './input-format.ts';

/** Which health signal an activity-log event is. */
export const HEALTH_SIGNALS = {
  serviceHealth: 'service-health',
  resourceHealth: 'resource-health',
} as const;
export type HealthSignal = (typeof HEALTH_SIGNALS)[keyof typeof HEALTH_SIGNALS];

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
