/**
 * The Metrics port in CloudWatch embedded metric format (EMF), for AWS Lambda: each series becomes
 * one JSON log line on flush, which CloudWatch Logs turns into metrics without an API call or an
 * agent. Written by hand rather than with Powertools Metrics: the format is a small JSON envelope,
 * and the probe and webhook handlers have a 40 ms cold-import budget that a bundled Powertools
 * Logger + Metrics would spend a large share of (performance notes: the Powertools layer cost
 * 154–194 ms of init). Counters are summed per series; histograms are emitted as value arrays (EMF
 * allows up to 100 values per metric per line, so larger samples span several lines). Dimension
 * values pass through the redactor, so a URL-shaped label cannot leak a token.
 *
 * Format: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */

import type { MetricDimensions, Metrics } from './metrics.ts';
import { createRedactor } from './redact.ts';

export interface EmfMetricsOptions {
  /** The CloudWatch namespace (default `crosswatch`). */
  readonly namespace?: string;
  /** Dimensions on every series (e.g. `{ deployment: 'aws-eu-west-1' }`); at most a few. */
  readonly defaultDimensions?: MetricDimensions;
  /** Where each line goes (default: process.stdout.write). */
  readonly write?: (line: string) => void;
  readonly now?: () => number;
  readonly secrets?: readonly string[];
}

const MAX_VALUES_PER_LINE = 100;
/** EMF's limit on dimensions per dimension set. */
const MAX_DIMENSIONS = 30;

interface Series {
  readonly name: string;
  readonly dimensions: MetricDimensions;
  readonly kind: 'counter' | 'histogram';
  total: number;
  values: number[];
}

function unitOf(name: string, kind: Series['kind']): string {
  if (name.endsWith('_ms')) return 'Milliseconds';
  return kind === 'counter' ? 'Count' : 'None';
}

export function createEmfMetrics(options: EmfMetricsOptions = {}): Metrics {
  const namespace = options.namespace ?? 'crosswatch';
  const write = options.write ?? ((line: string) => process.stdout.write(line));
  const now = options.now ?? Date.now;
  const redact = createRedactor(options.secrets ?? []);
  const series = new Map<string, Series>();

  const clean = (dimensions: MetricDimensions | undefined): MetricDimensions => {
    const merged: Record<string, string> = {};
    for (const [key, value] of Object.entries({ ...options.defaultDimensions, ...dimensions })) {
      if (Object.keys(merged).length >= MAX_DIMENSIONS) break;
      // A dimension must not collide with the metric value or the _aws envelope.
      if (key === '_aws') continue;
      merged[key] = redact(String(value)).slice(0, 1024);
    }
    return merged;
  };
  const find = (name: string, dimensions: MetricDimensions, kind: Series['kind']): Series => {
    const keys = Object.keys(dimensions).sort();
    const key = `${kind}|${name}|${keys.map((k) => `${k}=${dimensions[k]}`).join(',')}`;
    let found = series.get(key);
    if (!found) {
      found = { name, dimensions, kind, total: 0, values: [] };
      series.set(key, found);
    }
    return found;
  };
  const line = (entry: Series, value: number | number[]): string => {
    const dimensionNames = Object.keys(entry.dimensions).filter((key) => key !== entry.name);
    return `${JSON.stringify({
      _aws: {
        Timestamp: now(),
        CloudWatchMetrics: [
          {
            Namespace: namespace,
            Dimensions: [dimensionNames],
            Metrics: [{ Name: entry.name, Unit: unitOf(entry.name, entry.kind) }],
          },
        ],
      },
      ...entry.dimensions,
      [entry.name]: value,
    })}\n`;
  };

  return {
    count(name, dimensions, value = 1) {
      if (!Number.isFinite(value)) return;
      find(name, clean(dimensions), 'counter').total += value;
    },
    observe(name, value, dimensions) {
      if (!Number.isFinite(value)) return;
      find(name, clean(dimensions), 'histogram').values.push(Math.round(value * 1000) / 1000);
    },
    async flush() {
      const entries = [...series.values()];
      series.clear();
      for (const entry of entries) {
        if (entry.kind === 'counter') {
          write(line(entry, entry.total));
          continue;
        }
        for (let start = 0; start < entry.values.length; start += MAX_VALUES_PER_LINE) {
          write(line(entry, entry.values.slice(start, start + MAX_VALUES_PER_LINE)));
        }
      }
    },
  };
}
