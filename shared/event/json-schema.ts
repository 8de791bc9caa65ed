/**
 * Serializes the TypeBox definitions (the source of truth) into the published JSON Schema document.
 */
import { CrosswatchEventSchema } from './schema.ts';

export const EVENT_SCHEMA_FILE = 'schema/crosswatch-event.v1.schema.json';
export const EVENT_SCHEMA_ID = 'urn:crosswatch:schema:event:v1';

export function renderEventJsonSchema(): string {
  const document = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: EVENT_SCHEMA_ID,
    ...JSON.parse(JSON.stringify(CrosswatchEventSchema)),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
