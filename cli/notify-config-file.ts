/**
 * `--config FILE` for the notify commands: the file's `notify` section (sinks, routes, default route,
 * outbox settings), validated by validateNotifyConfig. Without `--config`, `crosswatch.config.json`
 * in the working directory is read when it exists; with neither, the defaults apply (one console
 * sink, the default route to it). Other top-level sections belong to other parts and are left alone.
 */
import {
  type NotifyConfig,
  NotifyConfigError,
  validateNotifyConfig,
} from '../shared/notify/notify-config.ts';
import { InvalidSinkConfigError } from '../shared/notify/sink-config.ts';
import type { CliIo } from './cli-io.ts';

export const DEFAULT_CONFIG_FILE = 'crosswatch.config.json';

/** The config file cannot be used; the message names the file and, when known, the field. */
export class NotifyConfigFileError extends Error {
  override name = 'NotifyConfigFileError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

function describeReadError(error: unknown): string {
  const code = (error as { code?: string } | null)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'is a directory, expected a file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return `cannot be read (${code ?? 'error'})`;
}

export interface LoadedNotifyConfig {
  readonly config: NotifyConfig;
  /** The file it came from, or `defaults`. */
  readonly source: string;
}

/** Throws NotifyConfigFileError (one line, no secret values) when the file or its section is bad. */
export async function loadNotifyConfigFile(io: CliIo, path: string | undefined): Promise<LoadedNotifyConfig> {
  const file = path ?? DEFAULT_CONFIG_FILE;
  let bytes: Uint8Array;
  try {
    bytes = await io.readFile(file);
  } catch (error) {
    const code = (error as { code?: string } | null)?.code;
    if (path === undefined && code === 'ENOENT')
      return { config: validateNotifyConfig({}), source: 'defaults' };
    throw new NotifyConfigFileError(`${file}: ${describeReadError(error)}`, { cause: error });
  }
  let document: unknown;
  try {
    const text = Buffer.from(bytes).toString('utf8');
    document = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    throw new NotifyConfigFileError(
      `${file}: is not valid JSON (${error instanceof Error ? error.message : ''})`,
      {
        cause: error,
      },
    );
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new NotifyConfigFileError(`${file}: must hold a JSON object`);
  }
  try {
    return { config: validateNotifyConfig((document as { notify?: unknown }).notify), source: file };
  } catch (error) {
    if (error instanceof NotifyConfigError || error instanceof InvalidSinkConfigError) {
      throw new NotifyConfigFileError(`${file}: ${error.message}`, { cause: error });
    }
    throw error;
  }
}
