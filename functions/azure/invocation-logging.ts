/**
 * Logging and metrics for the Azure Functions app. Every line goes through the InvocationContext
 * (`context.debug/info/warn/error`), which the Functions host forwards to Application Insights as a
 * trace with the invocation's operation id and severity. The message is one JSON object — the shared
 * logger's record (secrets redacted) plus `invocationId` and `functionName` — so the fields are
 * custom dimensions in all but name: `traces | extend d = parse_json(message) | where d.msg == "decision"`.
 * Metrics use the same channel: on flush each series becomes one `{"msg":"metric",…}` trace carrying
 * name, dimensions and the aggregate (count/sum/min/max), queryable the same way; no Application
 * Insights SDK is loaded (it would cost more cold start than the whole app).
 */
import type { InvocationContext } from '@azure/functions';
import { createLogger, type Logger, type LogLevel } from '../../shared/observability/logger.ts';
import type { MetricDimensions, Metrics } from '../../shared/observability/metrics.ts';
import { createRedactor } from '../../shared/observability/redact.ts';

export interface InvocationLoggingOptions {
  readonly level?: LogLevel;
  readonly secrets?: readonly string[];
  readonly now?: () => Date;
}

function emit(context: InvocationContext, level: string, line: string): void {
  switch (level) {
    case 'debug':
      context.debug(line);
      break;
    case 'warn':
      context.warn(line);
      break;
    case 'error':
      context.error(line);
      break;
    default:
      context.info(line);
  }
}

export function createInvocationLogger(
  context: InvocationContext,
  options: InvocationLoggingOptions = {},
): Logger {
  return createLogger({
    format: 'json',
    level: options.level ?? 'info',
    secrets: options.secrets ?? [],
    ...(options.now ? { now: options.now } : {}),
    fields: { invocationId: context.invocationId, functionName: context.functionName },
    write: (line) => {
      const trimmed = line.endsWith('\n') ? line.slice(0, -1) : line;
      const level = /"level":"(debug|info|warn|error)"/.exec(trimmed)?.[1] ?? 'info';
      emit(context, level, trimmed);
    },
  });
}

interface Series {
  readonly name: string;
  readonly kind: 'counter' | 'histogram';
  readonly dimensions: MetricDimensions;
  count: number;
  sum: number;
  min: number;
  max: number;
}

/** The Metrics port as aggregated Application Insights traces, written on flush. */
export function createInvocationMetrics(
  context: InvocationContext,
  options: InvocationLoggingOptions = {},
): Metrics {
  const redact = createRedactor(options.secrets ?? []);
  const series = new Map<string, Series>();
  const record = (name: string, kind: Series['kind'], value: number, dimensions: MetricDimensions = {}) => {
    if (!Number.isFinite(value)) return;
    const clean: Record<string, string> = {};
    for (const [key, dimension] of Object.entries(dimensions)) clean[key] = redact(String(dimension));
    const key = `${kind}|${name}|${Object.keys(clean)
      .sort()
      .map((k) => `${k}=${clean[k]}`)
      .join(',')}`;
    const found = series.get(key);
    if (!found) {
      series.set(key, { name, kind, dimensions: clean, count: 1, sum: value, min: value, max: value });
      return;
    }
    found.count += 1;
    found.sum += value;
    found.min = Math.min(found.min, value);
    found.max = Math.max(found.max, value);
  };
  return {
    count: (name, dimensions, value = 1) => record(name, 'counter', value, dimensions),
    observe: (name, value, dimensions) => record(name, 'histogram', value, dimensions),
    async flush() {
      const entries = [...series.values()];
      series.clear();
      for (const entry of entries) {
        const aggregate =
          entry.kind === 'counter'
            ? { value: entry.sum }
            : { count: entry.count, sum: entry.sum, min: entry.min, max: entry.max };
        context.info(
          JSON.stringify({
            msg: 'metric',
            metric: entry.name,
            kind: entry.kind,
            invocationId: context.invocationId,
            functionName: context.functionName,
            ...aggregate,
            dimensions: entry.dimensions,
          }),
        );
      }
    },
  };
}
