import { describe, expect, it } from 'vitest';
import type { ProbeResult } from '../../../shared/event/probe-result-event.ts';
import { applySelfHealthGating, assessControls } from '../../../shared/probe/self-health.ts';

function result(id: string, outcome: ProbeResult['outcome'], control = false): ProbeResult {
  return {
    kind: 'crosswatch.probe-result',
    roundId: 'r-1',
    target: { id, name: id, kind: 'http', address: `https://${id}.example/`, control },
    vantage: { id: 'v', cloud: 'aws', region: 'eu-west-1' },
    plane: control ? 'control-target' : 'edge',
    outcome,
    reason: null,
    startedAt: '2026-01-22T09:30:00.000Z',
    finishedAt: '2026-01-22T09:30:01.000Z',
    latencyMs: null,
    phases: { dnsMs: null, connectMs: null, tlsMs: null, firstByteMs: null, totalMs: 1000 },
    error: outcome === 'up' ? null : 'TCP_TIMEOUT',
    errorDetail: null,
    observations: {},
  };
}

describe('self-health gating', () => {
  it('judges the vantage impaired when a strict majority of controls fail', () => {
    expect(
      assessControls([result('a', 'down', true), result('b', 'down', true), result('c', 'up', true)]),
    ).toEqual({
      total: 3,
      failed: 2,
      healthy: false,
    });
    expect(assessControls([result('a', 'down', true), result('b', 'up', true)]).healthy).toBe(true);
    expect(assessControls([result('a', 'inconclusive', true)]).healthy).toBe(false);
    expect(assessControls([result('a', 'degraded', true)]).healthy).toBe(true);
    expect(assessControls([result('x', 'down')])).toEqual({ total: 0, failed: 0, healthy: null });
    expect(assessControls([result('a', 'down', true), result('b', 'up', true)], 0.4).healthy).toBe(false);
  });

  it('turns non-control failures into inconclusive (vantage-impaired) and leaves the rest alone', () => {
    const results = [
      result('ms-down', 'down'),
      result('ms-slow', 'degraded'),
      result('ms-up', 'up'),
      result('ctl', 'down', true),
    ];
    const gated = applySelfHealthGating(results, assessControls(results));
    expect(gated.map((item) => [item.target.id, item.outcome, item.reason])).toEqual([
      ['ms-down', 'inconclusive', 'vantage-impaired'],
      ['ms-slow', 'inconclusive', 'vantage-impaired'],
      ['ms-up', 'up', null],
      ['ctl', 'down', null],
    ]);
    expect(gated[0]?.error).toBe('TCP_TIMEOUT');
  });

  it('changes nothing when the controls are healthy or absent', () => {
    const results = [result('ms-down', 'down'), result('ctl', 'up', true)];
    expect(applySelfHealthGating(results, assessControls(results))).toEqual(results);
    const noControls = [result('ms-down', 'down')];
    expect(applySelfHealthGating(noControls, assessControls(noControls))).toEqual(noControls);
  });
});
