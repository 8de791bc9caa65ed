/** The CloudWatch EMF form of the Metrics port: the envelope CloudWatch Logs extracts metrics from. */
import { describe, expect, it } from 'vitest';
import { createEmfMetrics } from '../../../shared/observability/emf-metrics.ts';
import { METRIC_NAMES } from '../../../shared/observability/metrics.ts';

function capture() {
  const lines: string[] = [];
  const metrics = createEmfMetrics({
    namespace: 'crosswatch-test',
    defaultDimensions: { deployment: 'aws' },
    write: (line) => lines.push(line),
    now: () => 1_764_417_600_000,
    secrets: ['super-secret-value'],
  });
  return { lines, metrics, records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('createEmfMetrics', () => {
  it('sums a counter per series and writes one EMF line per series on flush', async () => {
    const { lines, metrics, records } = capture();
    metrics.count(METRIC_NAMES.notifyDelivery, { sink: 'slack', outcome: 'delivered' });
    metrics.count(METRIC_NAMES.notifyDelivery, { outcome: 'delivered', sink: 'slack' }, 2);
    metrics.count(METRIC_NAMES.notifyDelivery, { sink: 'pagerduty', outcome: 'dead' });
    expect(lines).toEqual([]);
    await metrics.flush();
    expect(lines.every((line) => line.endsWith('\n'))).toBe(true);
    const [slack, pagerduty] = records();
    expect(slack).toEqual({
      _aws: {
        Timestamp: 1_764_417_600_000,
        CloudWatchMetrics: [
          {
            Namespace: 'crosswatch-test',
            Dimensions: [['deployment', 'sink', 'outcome']],
            Metrics: [{ Name: 'notify.delivery', Unit: 'Count' }],
          },
        ],
      },
      deployment: 'aws',
      sink: 'slack',
      outcome: 'delivered',
      'notify.delivery': 3,
    });
    expect(pagerduty?.['notify.delivery']).toBe(1);
    await metrics.flush();
    expect(lines).toHaveLength(2);
  });

  it('writes histograms as value arrays in Milliseconds, at most 100 values per line', async () => {
    const { metrics, records } = capture();
    for (let i = 0; i < 150; i++)
      metrics.observe(METRIC_NAMES.probeLatencyMs, i, { target: 'arm', plane: 'control', vantage: 'aws' });
    await metrics.flush();
    const lines = records();
    expect(lines).toHaveLength(2);
    expect(lines[0]?.['probe.latency_ms']).toHaveLength(100);
    expect(lines[1]?.['probe.latency_ms']).toHaveLength(50);
    expect(lines[0]?._aws).toMatchObject({
      CloudWatchMetrics: [{ Metrics: [{ Name: 'probe.latency_ms', Unit: 'Milliseconds' }] }],
    });
  });

  it('redacts secrets in dimension values', async () => {
    const { lines, metrics } = capture();
    metrics.count('ingest.refused', {
      source: 'https://x.example/hook?token=abc123&x=1',
      status: 'super-secret-value',
    });
    await metrics.flush();
    expect(lines.join('')).not.toContain('abc123');
    expect(lines.join('')).not.toContain('super-secret-value');
  });
});
