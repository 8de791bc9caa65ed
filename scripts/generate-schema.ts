/** Writes the generated JSON Schema files (`npm run schema`). */
import { writeFileSync } from 'node:fs';
import { CONFIG_SCHEMA_FILE, renderConfigJsonSchema } from '../shared/config/config-json-schema.ts';
import { EVENT_SCHEMA_FILE, renderEventJsonSchema } from '../shared/event/json-schema.ts';

writeFileSync(EVENT_SCHEMA_FILE, renderEventJsonSchema());
console.log(`wrote ${EVENT_SCHEMA_FILE}`);
writeFileSync(CONFIG_SCHEMA_FILE, renderConfigJsonSchema());
console.log(`wrote ${CONFIG_SCHEMA_FILE}`);
