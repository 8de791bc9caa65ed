/**
 * The `engine` section: its keys checked against the engine's defaults (the engine owns its own
 * shape), then resolved by the engine, its errors restated with the setting's dotted path.
 */
import {
  DEFAULT_ENGINE_CONFIG,
  type EngineConfig,
  EngineConfigError,
  type EngineConfigOverrides,
  resolveEngineConfig,
} from '../engine/engine-config.ts';
import { isRecord } from '../util/read.ts';
import { SchemaViolation } from './walk-json-schema.ts';

/** Free-form maps in the engine section: their keys are data, not setting names. */
const ENGINE_OPEN_MAPS = new Set(['acknowledgement.serviceMap']);

function checkEngineFields(
  value: Record<string, unknown>,
  shape: Record<string, unknown>,
  path: string,
): void {
  for (const [key, child] of Object.entries(value)) {
    const dotted = path ? `${path}.${key}` : key;
    if (!Object.hasOwn(shape, key)) throw new SchemaViolation(`engine.${dotted}`, 'unknown setting');
    const expected = shape[key];
    if (Array.isArray(expected)) {
      if (!Array.isArray(child)) throw new SchemaViolation(`engine.${dotted}`, 'must be a list');
    } else if (isRecord(expected)) {
      if (!isRecord(child)) throw new SchemaViolation(`engine.${dotted}`, 'must be an object');
      if (!ENGINE_OPEN_MAPS.has(dotted)) checkEngineFields(child, expected, dotted);
    } else if (typeof child !== typeof expected) {
      throw new SchemaViolation(`engine.${dotted}`, `must be a ${typeof expected}`);
    }
  }
}

export function validateEngine(section: unknown): EngineConfig {
  if (section === undefined) return DEFAULT_ENGINE_CONFIG;
  if (!isRecord(section)) throw new SchemaViolation('engine', 'must be an object');
  checkEngineFields(section, DEFAULT_ENGINE_CONFIG as unknown as Record<string, unknown>, '');
  try {
    return resolveEngineConfig(section as EngineConfigOverrides);
  } catch (error) {
    if (error instanceof EngineConfigError) {
      throw new SchemaViolation(
        `engine.${error.key}`,
        error.message.replace(`engine config ${error.key} `, ''),
      );
    }
    throw error;
  }
}
