/**
 * The metrics port: counters and histograms with a few low-cardinality dimensions. The core records
 * through `Metrics`; each runtime picks a form (readable lines locally; CloudWatch EMF and
 * Application Insights are added by the adapters on this same port). The names are the contract:
 *
 * | name                         | kind      | dimensions                         |
 * |------------------------------|-----------|------------------------------------|
 * | probe.result                 | counter   | target, plane, vantage, outcome    |
 * | probe.latency_ms             | histogram | target, plane, vantage             |
 * | engine.decision              | counter   | kind                               |
 * | notify.delivery              | counter   | sink, outcome                      |
 * | notify.retry                 | counter   | sink                               |
 * | notify.dead_letter           | counter   | sink                               |
 * | notify.outbox_age_ms         | histogram | sink                               |
 * | ingest.accepted              | counter   | source                             |
 * | ingest.refused               | counter   | source, status                     |
 * | ingest.durable_latency_ms    | histogram | source                             |
 */

export type MetricDimensions = Readonly<Record<string, string>>;

export const METRIC_NAMES = {
  probeResult: 'probe.result',
  probeLatencyMs: 'probe.latency_ms',
  engineDecision: 'engine.decision',
  notifyDelivery: 'notify.delivery',
  notifyRetry: 'notify.retry',
  notifyDeadLetter: 'notify.dead_letter',
  notifyOutboxAgeMs: 'notify.outbox_age_ms',
  ingestAccepted: 'ingest.accepted',
  ingestRefused: 'ingest.refused',
  ingestDurableLatencyMs: 'ingest.durable_latency_ms',
} as const;
export type MetricName = (typeof METRIC_NAMES)[keyof typeof METRIC_NAMES];

export interface Metrics {
  /** Adds `value` (default 1) to a counter. */
  count(name: string, dimensions?: MetricDimensions, value?: number): void;
  /** Records one observation of a distribution (latency, age). */
  observe(name: string, value: number, dimensions?: MetricDimensions): void;
  /** Writes whatever is buffered (EMF lines, App Insights batch); a no-op for in-memory forms. */
  flush(): Promise<void>;
}

export interface CounterSnapshot {
  readonly name: string;
  readonly dimensions: MetricDimensions;
  readonly value: number;
}

export interface HistogramSnapshot {
  readonly name: string;
  readonly dimensions: MetricDimensions;
  readonly count: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
  readonly p50: number;
  readonly p99: number;
}

export interface MetricsSnapshot {
  readonly counters: readonly CounterSnapshot[];
  readonly histograms: readonly HistogramSnapshot[];
}

/** The in-process form: keeps totals and (bounded) samples; `snapshot` for /api/status and tests. */
export interface InMemoryMetrics extends Metrics {
  snapshot(): MetricsSnapshot;
  reset(): void;
}

const MAX_SAMPLES = 1024;

function seriesKey(name: string, dimensions: MetricDimensions): string {
  const keys = Object.keys(dimensions).sort();
  return `${name}{${keys.map((key) => `${key}=${dimensions[key]}`).join(',')}}`;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index] ?? 0;
}

interface Histogram {
  readonly name: string;
  readonly dimensions: MetricDimensions;
  count: number;
  sum: number;
  min: number;
  max: number;
  samples: number[];
}

export function createInMemoryMetrics(): InMemoryMetrics {
  const counters = new Map<string, { name: string; dimensions: MetricDimensions; value: number }>();
  const histograms = new Map<string, Histogram>();
  return {
    count(name, dimensions = {}, value = 1) {
      const key = seriesKey(name, dimensions);
      const current = counters.get(key);
      if (current) current.value += value;
      else counters.set(key, { name, dimensions: { ...dimensions }, value });
    },
    observe(name, value, dimensions = {}) {
      if (!Number.isFinite(value)) return;
      const key = seriesKey(name, dimensions);
      let histogram = histograms.get(key);
      if (!histogram) {
        histogram = {
          name,
          dimensions: { ...dimensions },
          count: 0,
          sum: 0,
          min: value,
          max: value,
          samples: [],
        };
        histograms.set(key, histogram);
      }
      histogram.count++;
      histogram.sum += value;
      histogram.min = Math.min(histogram.min, value);
      histogram.max = Math.max(histogram.max, value);
      // Reservoir sampling keeps the quantiles representative with bounded memory.
      if (histogram.samples.length < MAX_SAMPLES) histogram.samples.push(value);
      else {
        const slot = Math.floor(Math.random() * histogram.count);
        if (slot < MAX_SAMPLES) histogram.samples[slot] = value;
      }
    },
    async flush() {},
    snapshot() {
      return {
        counters: [...counters.values()].map((counter) => ({ ...counter })),
        histograms: [...histograms.values()].map((histogram) => {
          const sorted = [...histogram.samples].sort((a, b) => a - b);
          return {
            name: histogram.name,
            dimensions: histogram.dimensions,
            count: histogram.count,
            sum: histogram.sum,
            min: histogram.min,
            max: histogram.max,
            p50: quantile(sorted, 0.5),
            p99: quantile(sorted, 0.99),
          };
        }),
      };
    },
    reset() {
      counters.clear();
      histograms.clear();
    },
  };
}

/** Readable lines, one per series: `engine.decision{kind=open} 3`, `probe.latency_ms{…} n=5 p50=12 p99=40 max=41`. */
export function formatMetricsReadable(snapshot: MetricsSnapshot): string[] {
  const dims = (dimensions: MetricDimensions) => {
    const keys = Object.keys(dimensions).sort();
    return keys.length === 0 ? '' : `{${keys.map((key) => `${key}=${dimensions[key]}`).join(',')}}`;
  };
  const round = (value: number) => Math.round(value * 10) / 10;
  return [
    ...snapshot.counters.map((counter) => `${counter.name}${dims(counter.dimensions)} ${counter.value}`),
    ...snapshot.histograms.map(
      (h) =>
        `${h.name}${dims(h.dimensions)} n=${h.count} p50=${round(h.p50)} p99=${round(h.p99)} max=${round(h.max)}`,
    ),
  ].sort();
}

/** A port that records nothing. */
export function createNoopMetrics(): Metrics {
  return { count: () => undefined, observe: () => undefined, flush: async () => undefined };
}
