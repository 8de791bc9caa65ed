/**
 * The dispatch table: the first format whose structural test matches handles the input. Order
 * matters only where shapes overlap (a `value[]` list is tried by Graph, then Resource Health, then
 * the raw activity log).
 */

import { isRecord } from '../util/read.ts';
import { awsHealthFormat } from './aws-health.ts';
import { azureActivityLogRecordFormat } from './azure-activity-log-record.ts';
import { azureActivityLogWebhookFormat } from './azure-activity-log-webhook.ts';
import { azureMonitorCommonFormat } from './azure-monitor-common.ts';
import { azureResourceHealthApiFormat } from './azure-resource-health-api.ts';
import { UnrecognizedInputError } from './errors.ts';
import type { InputFormat } from './input-format.ts';
import { m365GraphFormat } from './m365-graph.ts';
import { probeResultFormat } from './probe-result.ts';

export const INPUT_FORMATS: readonly InputFormat[] = [
  azureMonitorCommonFormat,
  azureActivityLogWebhookFormat,
  awsHealthFormat,
  probeResultFormat,
  m365GraphFormat,
  azureResourceHealthApiFormat,
  azureActivityLogRecordFormat,
];

function describeShape(document: unknown): string {
  if (Array.isArray(document)) return `a JSON array of ${document.length} item(s)`;
  if (!isRecord(document)) return `a JSON ${document === null ? 'null' : typeof document}`;
  const keys = Object.keys(document).slice(0, 5);
  return keys.length === 0 ? 'an empty JSON object' : `a JSON object with keys ${keys.join(', ')}`;
}

/** Returns the format that handles this parsed JSON, or throws UnrecognizedInputError. */
export function detectFormat(document: unknown): InputFormat {
  for (const format of INPUT_FORMATS) if (format.matches(document)) return format;
  throw new UnrecognizedInputError(
    `unrecognized input: ${describeShape(document)} is not an Azure Monitor alert, activity-log record, Resource Health, AWS Health, Microsoft Graph service health or crosswatch probe result payload`,
  );
}
