/** Writes the generated JSON Schema files (`npm run schema`). */
import { writeFileSync } from 'node:fs';
import { EVENT_SCHEMA_FILE, renderEventJsonSchema } from '../shared/event/json-schema.ts';

writeFileSync(EVENT_SCHEMA_FILE, renderEventJsonSchema());
console.log(`wrote ${EVENT_SCHEMA_FILE}`);
