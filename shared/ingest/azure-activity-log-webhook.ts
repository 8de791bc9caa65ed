/**
 * The legacy (non-common) activity-log alert webhook schema:
 * `{"schemaId":"Microsoft.Insights/activityLogs","data":{"status":"Activated","context":{"activityLog":{…}}}}`.
 *
 * The payload differs by `data.context.activityLog.eventSource`: `ServiceHealth` → a provider incident,
 * `ResourceHealth` → a resource health change; anything else (Administrative, Security, Policy, …) is
 * recognized and ignored with the reason. Quirks handled: `properties` is documented as
 * `Dictionary<String, String>` (a JSON-encoded `impactedServices` inside), the `description` is
 * "Active: <title>" (the stage prefixed, so `properties.title` is preferred), the Resource Health
 * `resourceProviderName` is an operation (`Microsoft.Resourcehealth/healthevent/action`), and the
 * Administrative sample has no `eventSource` at all. The field mapping lives in azure-service-health.ts
 * and azure-resource-health-alert.ts.
 */

import { isRecord, parseMaybeJson, readPath } from '../util/read.ts';
import { readRecordField } from './azure-activity-fields.ts';
import { buildHealthEvent, classifyActivityEvent, describeIgnoredEvent } from './azure-health-signal.ts';
import { InvalidInputError } from './errors.ts';
import type { InputFormat } from './input-format.ts';

const FORMAT = 'azure-activity-log-webhook';
const SCHEMA_ID = 'microsoft.insights/activitylogs';

function isLegacyActivityLogAlert(document: unknown): boolean {
  if (!isRecord(document)) return false;
  const schemaId = document.schemaId;
  if (typeof schemaId === 'string') return schemaId.trim().toLowerCase() === SCHEMA_ID;
  // Without a schemaId (a payload re-posted by hand), the envelope shape itself is distinctive.
  return schemaId === undefined && isRecord(readPath(document, 'data', 'context', 'activityLog'));
}

export const azureActivityLogWebhookFormat: InputFormat = {
  id: FORMAT,

  matches(document) {
    try {
      return isLegacyActivityLogAlert(document);
    } catch {
      return false;
    }
  },

  normalize(document, context) {
    const data = isRecord(document) ? parseMaybeJson(document.data) : undefined;
    if (!isRecord(data)) throw new InvalidInputError(FORMAT, 'data', 'is missing or not an object');
    const alertContext = readRecordField(data, 'context');
    const activityLog = alertContext === undefined ? undefined : readRecordField(alertContext, 'activityLog');
    if (activityLog === undefined) {
      throw new InvalidInputError(FORMAT, 'data.context.activityLog', 'is missing or not an object');
    }
    const { signal, field, label } = classifyActivityEvent(activityLog);
    if (signal === undefined) {
      return {
        events: [],
        ignored: describeIgnoredEvent('Azure activity-log alert', field ?? 'eventSource', label),
        notices: [],
      };
    }
    const notices: string[] = [];
    const event = buildHealthEvent(
      signal,
      { record: activityLog, path: 'data.context.activityLog' },
      context,
      FORMAT,
      notices,
    );
    return { events: [event], notices };
  },
};
