/**
 * Serializes the configuration schema (config-schema.ts) into the published JSON Schema document,
 * schema/crosswatch-config.schema.json: editors complete crosswatch.config.json from it (`"$schema"`)
 * and the runtime validator walks it.
 */
import { ConfigFileSchema } from './config-schema.ts';

export const CONFIG_SCHEMA_FILE = 'schema/crosswatch-config.schema.json';
export const CONFIG_SCHEMA_ID = 'urn:crosswatch:schema:config';

type JsonSchemaNode = Record<string, unknown>;

/** A property with a default may be left out: drop it from `required` (recursively). */
function relaxDefaults(node: unknown): void {
  if (typeof node !== 'object' || node === null) return;
  if (Array.isArray(node)) {
    for (const item of node) relaxDefaults(item);
    return;
  }
  const schema = node as JsonSchemaNode;
  const properties = schema.properties as Record<string, JsonSchemaNode> | undefined;
  if (properties && Array.isArray(schema.required)) {
    const required = (schema.required as string[]).filter((name) => properties[name]?.default === undefined);
    if (required.length > 0) schema.required = required;
    else delete schema.required;
  }
  for (const value of Object.values(schema)) relaxDefaults(value);
}

export function renderConfigJsonSchema(): string {
  const document = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: CONFIG_SCHEMA_ID,
    ...JSON.parse(JSON.stringify(ConfigFileSchema)),
  };
  relaxDefaults(document);
  return `${JSON.stringify(document, null, 2)}\n`;
}
