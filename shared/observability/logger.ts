/**
 * The structured logger: one JSON object per line (`{"time","level","msg",...fields}`), with the
 * invocation/correlation id bound through `child`, and every string value passed through a redactor
 * (query tokens, `sig=`, bearer tokens, webhook URLs and secrets the config names) before it is
 * written. `formatLogLineReadable` turns a line into the local runner's human form.
 */
import { createRedactor, type Redactor } from './redact.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger whose lines all carry `fields` (e.g. `{ invocationId }`). */
  child(fields: LogFields): Logger;
}

export interface LogRecord {
  readonly time: string;
  readonly level: LogLevel;
  readonly msg: string;
  readonly [field: string]: unknown;
}

export type LogFormat = 'json' | 'readable';

export interface CreateLoggerOptions {
  /** Where each line goes (default: process.stdout.write). */
  readonly write?: (line: string) => void;
  readonly level?: LogLevel;
  readonly format?: LogFormat;
  /** Literal secrets (tokens, webhook secrets) to blank out wherever they appear. */
  readonly secrets?: readonly string[];
  readonly now?: () => Date;
  readonly fields?: LogFields;
}

const LEVELS: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

function redactValue(value: unknown, redact: Redactor, depth = 0): unknown {
  if (typeof value === 'string') return redact(value);
  if (value instanceof Error) return redact(`${value.name}: ${value.message}`);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => redactValue(item, redact, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [
      key,
      /secret|token|password|authorization|routingkey|apikey/i.test(key) && typeof item === 'string'
        ? '[redacted]'
        : redactValue(item, redact, depth + 1),
    ]),
  );
}

/** `13:05:01 info  engine decision kind=open incidentKey=azure:ABC` */
export function formatLogLineReadable(record: LogRecord): string {
  const { time, level, msg, ...fields } = record;
  const parts = Object.entries(fields)
    .filter(([, value]) => value !== undefined && value !== null)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return `${time.slice(11, 19)} ${level.padEnd(5)} ${msg}${parts.length > 0 ? ` ${parts.join(' ')}` : ''}`;
}

export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const write = options.write ?? ((line: string) => process.stdout.write(line));
  const min = LEVELS[options.level ?? 'info'];
  const redact = createRedactor(options.secrets ?? []);
  const now = options.now ?? (() => new Date());
  const format = options.format ?? 'json';

  const make = (bound: LogFields): Logger => {
    const emit = (level: LogLevel, msg: string, fields?: LogFields) => {
      if (LEVELS[level] < min) return;
      const record = redactValue(
        { time: now().toISOString(), level, msg, ...bound, ...fields },
        redact,
      ) as LogRecord;
      write(`${format === 'json' ? JSON.stringify(record) : formatLogLineReadable(record)}\n`);
    };
    return {
      debug: (msg, fields) => emit('debug', msg, fields),
      info: (msg, fields) => emit('info', msg, fields),
      warn: (msg, fields) => emit('warn', msg, fields),
      error: (msg, fields) => emit('error', msg, fields),
      child: (fields) => make({ ...bound, ...fields }),
    };
  };
  return make(options.fields ?? {});
}

/** A logger that drops everything (tests, benchmarks). */
export function createSilentLogger(): Logger {
  const silent: Logger = {
    debug: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    error: () => undefined,
    child: () => silent,
  };
  return silent;
}
