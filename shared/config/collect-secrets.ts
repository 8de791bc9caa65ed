/** Every secret value in a configuration document, so the logger can redact it. */
import { isRecord } from '../util/read.ts';

/** Every string secret in the document (tokens, connection strings, client secrets, sink URLs). */
export function collectSecrets(value: unknown, key = '', found: string[] = []): string[] {
  if (typeof value === 'string') {
    if (
      /token|secret|connectionstring|password|url|routingkey|apikey|webhook/i.test(key) &&
      value.length >= 8
    ) {
      found.push(value);
    }
  } else if (Array.isArray(value)) for (const item of value) collectSecrets(item, key, found);
  else if (isRecord(value))
    for (const [child, item] of Object.entries(value)) collectSecrets(item, child, found);
  return found;
}
