/**
 * `--config FILE`: a JSON file whose `engine` section overrides the engine's defaults
 * (shared/engine/engine-config.ts), e.g. `{"engine": {"verdict": {"quorum": 3}}}`. Other top-level
 * sections belong to other parts of crosswatch and are left alone here. Unknown engine fields and
 * bad values are errors naming the field (`engine.probe.openAfterConsecutive …`).
 */
import {
  DEFAULT_ENGINE_CONFIG,
  type EngineConfig,
  EngineConfigError,
  type EngineConfigOverrides,
  resolveEngineConfig,
} from '../shared/engine/engine-config.ts';

export class EngineConfigFileError extends Error {
  override name = 'EngineConfigFileError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Free-form maps: their keys are data, not field names. */
const OPEN_MAPS = new Set(['acknowledgement.serviceMap']);

function checkFields(value: Record<string, unknown>, shape: Record<string, unknown>, path: string): void {
  for (const [key, child] of Object.entries(value)) {
    const dotted = path ? `${path}.${key}` : key;
    if (!Object.hasOwn(shape, key)) throw new EngineConfigFileError(`unknown field engine.${dotted}`);
    const expected = shape[key];
    const isSection = isRecord(expected) && !Array.isArray(expected);
    if (isSection && !isRecord(child)) {
      throw new EngineConfigFileError(`field engine.${dotted} must be an object`);
    }
    if (Array.isArray(expected) && !Array.isArray(child)) {
      throw new EngineConfigFileError(`field engine.${dotted} must be a list`);
    }
    if (!isSection && !Array.isArray(expected) && typeof child !== typeof expected) {
      throw new EngineConfigFileError(`field engine.${dotted} must be a ${typeof expected}`);
    }
    if (isSection && isRecord(child) && !OPEN_MAPS.has(dotted)) checkFields(child, expected, dotted);
  }
}

/** The engine config from the file's text: defaults overridden by its `engine` section, validated. */
export function parseEngineConfigFile(text: string): EngineConfig {
  let document: unknown;
  try {
    document = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    throw new EngineConfigFileError(
      `is not valid JSON (${error instanceof Error ? error.message : String(error)})`,
      {
        cause: error,
      },
    );
  }
  if (!isRecord(document)) throw new EngineConfigFileError('must be a JSON object');
  const engine = document.engine ?? {};
  if (!isRecord(engine)) throw new EngineConfigFileError('field engine must be an object');
  checkFields(engine, DEFAULT_ENGINE_CONFIG as unknown as Record<string, unknown>, '');
  try {
    return resolveEngineConfig(engine as EngineConfigOverrides);
  } catch (error) {
    if (!(error instanceof EngineConfigError)) throw error;
    const problem = error.message.replace(`engine config ${error.key} `, '');
    throw new EngineConfigFileError(`field engine.${error.key} ${problem}`, { cause: error });
  }
}
