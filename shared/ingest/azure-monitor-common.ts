/**
 * Azure Monitor alerts in the common alert schema (action-group webhook):
 * `{"schemaId":"azureMonitorCommonAlertSchema","data":{"essentials":{…},"alertContext":{…}}}`.
 *
 * `essentials.monitoringService` decides what the alert context holds: `ServiceHealth` → a provider
 * incident, `Resource Health` (with a space; `ResourceHealth` too) → a resource health change. Every
 * other alert type (Platform metric, Log Analytics, `Activity Log - Administrative`, Smart detector, …)
 * is recognized and ignored with the reason, not an error.
 *
 * Quirks handled: the labels are inconsistent (`signalType` "Activity Log" vs "ActivityLog",
 * `monitoringService` "Resource Health" vs `eventSource` "ResourceHealth"), the Service Health test
 * action sends `impactedServices` as a real array and `alertTargetIDs` as just `/subscriptions/<id>`;
 * the field mapping itself lives in azure-service-health.ts and azure-resource-health-alert.ts.
 */

import { isRecord, parseMaybeJson, readField, readText } from '../util/read.ts';
import { readRecordField } from './azure-activity-fields.ts';
import {
  buildHealthEvent,
  classifyActivityEvent,
  classifyMonitoringService,
  describeIgnoredEvent,
} from './azure-health-signal.ts';
import { InvalidInputError } from './errors.ts';
import type { InputFormat } from './input-format.ts';

const FORMAT = 'azure-monitor-common';
const SCHEMA_ID = 'azuremonitorcommonalertschema';

function isCommonSchema(document: unknown): boolean {
  if (!isRecord(document)) return false;
  const schemaId = document.schemaId;
  return typeof schemaId === 'string' && schemaId.trim().toLowerCase() === SCHEMA_ID;
}

export const azureMonitorCommonFormat: InputFormat = {
  id: FORMAT,

  matches(document) {
    try {
      return isCommonSchema(document);
    } catch {
      return false;
    }
  },

  normalize(document, context) {
    const data = isRecord(document) ? parseMaybeJson(document.data) : undefined;
    if (!isRecord(data)) throw new InvalidInputError(FORMAT, 'data', 'is missing or not an object');
    const essentials = readRecordField(data, 'essentials');
    if (essentials === undefined) {
      throw new InvalidInputError(FORMAT, 'data.essentials', 'is missing or not an object');
    }
    const alertContext = readRecordField(data, 'alertContext');
    const monitoringService = readText(readField(essentials, 'monitoringService'), 200);

    let signal = classifyMonitoringService(monitoringService);
    if (signal === undefined && monitoringService !== undefined) {
      return {
        events: [],
        ignored: describeIgnoredEvent('Azure Monitor alert', 'monitoringService', monitoringService),
        notices: [],
      };
    }
    const notices: string[] = [];
    if (signal === undefined) {
      // No monitoringService: the alert context's eventSource or operation name may still say what it is.
      signal = alertContext === undefined ? undefined : classifyActivityEvent(alertContext).signal;
      if (signal === undefined) {
        throw new InvalidInputError(
          FORMAT,
          'data.essentials.monitoringService',
          'is missing, and the alert context does not identify a health signal',
        );
      }
      notices.push(
        `data.essentials.monitoringService is missing; the alert context identifies a ${signal} alert`,
      );
    }
    if (alertContext === undefined) {
      throw new InvalidInputError(FORMAT, 'data.alertContext', 'is missing or not an object');
    }
    const event = buildHealthEvent(
      signal,
      { record: alertContext, path: 'data.alertContext', essentials },
      context,
      FORMAT,
      notices,
    );
    return { events: [event], notices };
  },
};
