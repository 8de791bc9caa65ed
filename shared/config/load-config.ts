/**
 * Loads the configuration once at start: the file (`--config FILE`, CROSSWATCH_CONFIG_FILE, or
 * `crosswatch.config.json` in the working directory when it exists), then the CROSSWATCH_CONFIG
 * document, then individual CROSSWATCH_* variables, each layer overriding the one before (objects
 * merge, lists and values replace). Errors name where the bad value came from: the file, the
 * CROSSWATCH_CONFIG variable or the CROSSWATCH_* variable.
 */
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { CONFIG_ENV, ENV_SETTINGS, EnvValueError, parseEnvValue, setPath } from './config-env.ts';
import { ConfigError, type CrosswatchConfig, DEFAULT_CONFIG_FILE } from './crosswatch-config.ts';
import { validateConfig } from './validate-config.ts';

export interface LoadConfigOptions {
  /** An explicit file (`--config`): it must exist. */
  readonly file?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Last layer (command-line flags): each names its own source in errors (`--port`). */
  readonly overrides?: readonly ConfigOverride[];
}

export interface ConfigOverride {
  /** Dotted setting path, e.g. `server.port`. */
  readonly path: string;
  readonly value: unknown;
  /** How the user set it, e.g. `--port`. */
  readonly source: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function mergeDocuments(base: unknown, overlay: unknown): unknown {
  if (!isRecord(base) || !isRecord(overlay)) return overlay;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overlay)) merged[key] = mergeDocuments(base[key], value);
  return merged;
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    throw new ConfigError(
      source,
      '',
      `is not valid JSON (${error instanceof Error ? error.message : String(error)})`,
      {
        cause: error,
      },
    );
  }
}

async function readConfigFile(path: string, explicit: boolean): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT' && !explicit) return undefined;
    throw new ConfigError(
      path,
      '',
      code === 'ENOENT' ? 'no such file' : `cannot be read (${String(code ?? error)})`,
      {
        cause: error,
      },
    );
  }
}

export async function loadConfig(options: LoadConfigOptions): Promise<CrosswatchConfig> {
  const { env, cwd } = options;
  const explicitFile = options.file ?? env[CONFIG_ENV.file];
  const filePath = resolve(cwd, explicitFile ?? DEFAULT_CONFIG_FILE);
  const fileLabel = explicitFile ?? DEFAULT_CONFIG_FILE;
  const sources: string[] = [];

  let document: unknown = {};
  const text = await readConfigFile(filePath, explicitFile !== undefined);
  if (text !== undefined) {
    document = parseJson(text, fileLabel);
    if (!isRecord(document)) throw new ConfigError(fileLabel, '', 'must hold a JSON object');
    // Validate the file on its own so its errors name the file.
    validateConfig(document, fileLabel, { cwd });
    sources.push(basename(fileLabel) === fileLabel ? fileLabel : filePath);
  }

  const inline = env[CONFIG_ENV.document];
  if (inline !== undefined && inline.trim() !== '') {
    const overlay = parseJson(inline, CONFIG_ENV.document);
    if (!isRecord(overlay)) throw new ConfigError(CONFIG_ENV.document, '', 'must hold a JSON object');
    document = mergeDocuments(document, overlay);
    validateConfig(document, CONFIG_ENV.document, { cwd });
    sources.push(CONFIG_ENV.document);
  }

  const fromEnv: Record<string, unknown> = {};
  const setBy = new Map<string, string>();
  for (const setting of ENV_SETTINGS) {
    const raw = env[setting.name];
    if (raw === undefined || raw === '') continue;
    try {
      setPath(fromEnv, setting.path, parseEnvValue(setting, raw));
    } catch (error) {
      if (error instanceof EnvValueError)
        throw new ConfigError(setting.name, '', error.message, { cause: error });
      throw error;
    }
    setBy.set(setting.path, setting.name);
  }
  if (setBy.size > 0) {
    document = mergeDocuments(document, fromEnv);
    sources.push(`${setBy.size} CROSSWATCH_* variable${setBy.size === 1 ? '' : 's'}`);
  }
  if (options.overrides && options.overrides.length > 0) {
    const fromFlags: Record<string, unknown> = {};
    for (const override of options.overrides) {
      setPath(fromFlags, override.path, override.value);
      setBy.set(override.path, override.source);
    }
    document = mergeDocuments(document, fromFlags);
  }

  const label = sources.length === 0 ? 'defaults' : sources.join(' + ');
  try {
    return validateConfig(document, label, { cwd });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // Name the variable that set the bad value, when one did.
    for (const [path, name] of setBy) {
      if (
        error.setting === path ||
        error.setting.startsWith(`${path}.`) ||
        error.setting.startsWith(`${path}[`)
      ) {
        throw new ConfigError(name, '', error.problem, { cause: error });
      }
    }
    throw error;
  }
}
