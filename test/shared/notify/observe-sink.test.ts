import { describe, expect, it } from 'vitest';
import type { NotificationMessage } from '../../../shared/notify/message.ts';
import { observeSink } from '../../../shared/notify/observe-sink.ts';
import type { SendResult, Sink } from '../../../shared/notify/sink.ts';
import { createLogger } from '../../../shared/observability/logger.ts';
import { createInMemoryMetrics } from '../../../shared/observability/metrics.ts';

const message = {
  decisionId: 'd1',
  decisionKind: 'open',
  incidentKey: 'azure:ABC',
  updateKey: 'azure:ABC:1:active',
  decidedAt: '2026-11-29T11:59:00.000Z',
} as unknown as NotificationMessage;

function sinkAnswering(results: SendResult[]): Sink {
  return { name: 'slack', kind: 'slack', rateLimit: null, send: async () => results.shift() as SendResult };
}

describe('observeSink', () => {
  it('logs one line per attempt with incident, update, sink and outcome, and counts it', async () => {
    const lines: string[] = [];
    const metrics = createInMemoryMetrics();
    const sink = observeSink(
      sinkAnswering([
        { outcome: 'transient', status: 503, detail: 'HTTP 503' },
        { outcome: 'delivered', status: 200, receipt: null, detail: 'ok' },
      ]),
      {
        logger: createLogger({
          write: (line) => lines.push(line),
          now: () => new Date('2026-11-29T12:00:00.000Z'),
        }),
        metrics,
        now: () => new Date('2026-11-29T12:00:00.000Z'),
      },
    );
    const signal = new AbortController().signal;
    expect((await sink.send(message, { deliveryId: 'd1:slack', attempt: 1, signal })).outcome).toBe(
      'transient',
    );
    expect((await sink.send(message, { deliveryId: 'd1:slack', attempt: 2, signal })).outcome).toBe(
      'delivered',
    );
    const records = lines.map((line) => JSON.parse(line));
    expect(records.map((record) => [record.level, record.msg, record.outcome, record.attempt])).toEqual([
      ['warn', 'delivery attempt', 'transient', 1],
      ['info', 'delivery attempt', 'delivered', 2],
    ]);
    expect(records[0]).toMatchObject({
      incidentKey: 'azure:ABC',
      updateKey: 'azure:ABC:1:active',
      sink: 'slack',
      status: 503,
    });
    const snapshot = metrics.snapshot();
    expect(snapshot.counters).toContainEqual({
      name: 'notify.delivery',
      dimensions: { sink: 'slack', outcome: 'transient' },
      value: 1,
    });
    expect(snapshot.histograms.find((h) => h.name === 'notify.outbox_age_ms')?.max).toBe(60_000);
  });
});
