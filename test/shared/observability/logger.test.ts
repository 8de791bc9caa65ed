import { describe, expect, it } from 'vitest';
import { createLogger, formatLogLineReadable } from '../../../shared/observability/logger.ts';
import { createInMemoryMetrics, formatMetricsReadable } from '../../../shared/observability/metrics.ts';

const NOW = () => new Date('2026-11-29T12:00:00.000Z');

describe('createLogger', () => {
  it('writes one JSON object per line with bound fields (invocation id) and the level filter', () => {
    const lines: string[] = [];
    const logger = createLogger({ write: (line) => lines.push(line), now: NOW, level: 'info' });
    const child = logger.child({ invocationId: 'inv-1' });
    child.debug('hidden');
    child.info('decision', { kind: 'open', incidentKey: 'azure:ABC', updateKey: 'azure:ABC:1:active' });
    expect(lines).toHaveLength(1);
    expect(lines[0]?.endsWith('\n')).toBe(true);
    expect(JSON.parse(lines[0] ?? '')).toEqual({
      time: '2026-11-29T12:00:00.000Z',
      level: 'info',
      msg: 'decision',
      invocationId: 'inv-1',
      kind: 'open',
      incidentKey: 'azure:ABC',
      updateKey: 'azure:ABC:1:active',
    });
  });

  it('redacts configured secrets, query tokens, bearer tokens and secret-named fields', () => {
    const lines: string[] = [];
    const secret = 'sentinel-secret-0123456789';
    const logger = createLogger({ write: (line) => lines.push(line), now: NOW, secrets: [secret] });
    logger.warn('delivery attempt', {
      detail: `failed for https://hooks.example.com/services/${secret}`,
      url: 'https://crosswatch.example/api/service-health?token=abcdef0123456789',
      header: 'Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl',
      routingKey: 'R0123456789ABCDEF',
      error: new Error(`cannot reach ${secret}`),
    });
    const text = lines.join('');
    expect(text).not.toContain(secret);
    expect(text).not.toContain('abcdef0123456789');
    expect(text).not.toContain('eyJzdWIiOiIxMjM0NTY3ODkwIn0');
    expect(text).not.toContain('R0123456789ABCDEF');
    expect(text).toContain('[redacted]');
  });

  it('has a readable form for a terminal', () => {
    expect(
      formatLogLineReadable({
        time: '2026-11-29T12:00:00.000Z',
        level: 'info',
        msg: 'probe round',
        up: 3,
        down: 1,
      }),
    ).toBe('12:00:00 info  probe round up=3 down=1');
  });
});

describe('in-memory metrics', () => {
  it('counts and observes per dimension set, with readable lines', () => {
    const metrics = createInMemoryMetrics();
    metrics.count('engine.decision', { kind: 'open' });
    metrics.count('engine.decision', { kind: 'open' });
    metrics.count('notify.delivery', { sink: 'slack', outcome: 'transient' }, 3);
    for (const value of [10, 20, 30, 40])
      metrics.observe('probe.latency_ms', value, { target: 'arm', plane: 'control', vantage: 'local' });
    const snapshot = metrics.snapshot();
    expect(snapshot.counters).toContainEqual({
      name: 'engine.decision',
      dimensions: { kind: 'open' },
      value: 2,
    });
    const histogram = snapshot.histograms[0];
    expect(histogram).toMatchObject({ count: 4, sum: 100, min: 10, max: 40, p50: 20, p99: 40 });
    expect(formatMetricsReadable(snapshot)).toEqual([
      'engine.decision{kind=open} 2',
      'notify.delivery{outcome=transient,sink=slack} 3',
      'probe.latency_ms{plane=control,target=arm,vantage=local} n=4 p50=20 p99=40 max=40',
    ]);
  });
});
