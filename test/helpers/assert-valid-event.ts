/**
 * Validates an emitted event twice: against the committed JSON Schema (ajv, draft 2020-12) and with
 * the official CloudEvents SDK (spec 1.0 conformance of the envelope).
 */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { CloudEvent } from 'cloudevents';
import { expect } from 'vitest';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const schema = JSON.parse(
  readFileSync(new URL('../../schema/crosswatch-event.v1.schema.json', import.meta.url), 'utf8'),
) as object;
const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
const validateSchema = ajv.compile(schema);

export function assertValidEvent(event: unknown): void {
  const valid = validateSchema(event);
  expect(valid, JSON.stringify(validateSchema.errors?.slice(0, 5), null, 1)).toBe(true);
  const record = event as Record<string, unknown>;
  // The SDK validates spec 1.0 required attributes, their types and naming on construction.
  const cloudEvent = new CloudEvent(record, true);
  expect(cloudEvent.validate()).toBe(true);
  expect(cloudEvent.specversion).toBe('1.0');
}
