import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../shared/ingest/errors.ts';
import { normalizeText } from '../../../shared/ingest/normalize.ts';
import { parseProbeResult, probeResultFormat } from '../../../shared/ingest/probe-result.ts';
import { assertValidEvent } from '../../helpers/assert-valid-event.ts';

const context = { receivedAt: '2026-01-22T10:00:00.000Z', evidence: null };
const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/probe/${name}.json`, import.meta.url), 'utf8');

describe('probe results', () => {
  it('maps an HTTP control-plane failure (fixture http-control-plane-502)', () => {
    const output = normalizeText(fixture('http-control-plane-502'));
    expect(output.format).toBe('probe');
    expect(output.events).toHaveLength(1);
    const event = output.events[0];
    assertValidEvent(event);
    expect(event?.type).toBe('io.crosswatch.probe.result');
    expect(event?.source).toBe('/crosswatch/probe/aws-eu-west-1');
    expect(event?.subject).toBe('probe:azure-arm');
    const data = event?.data;
    if (data?.origin !== 'probe') throw new Error('expected a probe event');
    expect(data).toMatchObject({
      provider: 'crosswatch',
      category: 'probe',
      incidentKey: 'probe:azure-arm',
      updateKey: 'probe:azure-arm:aws-eu-west-1:r-20260202T191500Z-aws-eu-west-1',
      status: 'active',
      severity: 'error',
      plane: 'control',
      outcome: 'down',
      error: 'HTTP_502',
      latencyMs: 532,
      services: ['Azure Resource Manager'],
      regions: ['Global'],
      startedAt: '2026-02-02T19:15:00.012Z',
      updatedAt: '2026-02-02T19:15:00.544Z',
      resolvedAt: null,
      vantage: { id: 'aws-eu-west-1', cloud: 'aws', region: 'eu-west-1' },
    });
    expect(data.phases.firstByteMs).toBe(530.7);
    expect(data.observations.status).toBe(502);
    expect(data.title).toBe('Azure Resource Manager: down (HTTP_502) from aws-eu-west-1');
    expect(data.summary).toContain('control plane');
    expect(data.summary).toContain('HTTP_502');
    expect(data.evidence?.contentHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(data.links).toEqual([
      { label: 'Probe target', url: 'https://management.azure.com/subscriptions?api-version=2022-12-01' },
    ]);
  });

  it('maps a round list with a control failure and an inconclusive Microsoft target', () => {
    const events = normalizeText(fixture('round-vantage-impaired')).events;
    expect(events).toHaveLength(2);
    for (const event of events) assertValidEvent(event);
    const [control, mail] = events.map((event) => event.data);
    if (control?.origin !== 'probe' || mail?.origin !== 'probe') throw new Error('expected probe events');
    expect(control.target.control).toBe(true);
    expect(control.plane).toBe('control-target');
    expect(control.error).toBe('DNS_TIMEOUT');
    expect(control.latencyMs).toBeNull();
    expect(mail.outcome).toBe('inconclusive');
    expect(mail.reason).toBe('vantage-impaired');
    expect(mail.status).toBe('informational');
    expect(mail.severity).toBe('info');
    expect(mail.summary).toContain('not counted against the target');
    expect(mail.links).toEqual([]);
  });

  it('gives the same keys to a replay and new keys to a new round', () => {
    const original = JSON.parse(fixture('http-control-plane-502'));
    const first = probeResultFormat.normalize(original, context).events[0];
    const again = probeResultFormat.normalize(structuredClone(original), context).events[0];
    const next = probeResultFormat.normalize({ ...original, roundId: 'r-next' }, context).events[0];
    expect(again?.id).toBe(first?.id);
    expect(again?.data.updateKey).toBe(first?.data.updateKey);
    expect(next?.data.incidentKey).toBe(first?.data.incidentKey);
    expect(next?.data.updateKey).not.toBe(first?.data.updateKey);
  });

  it('accepts its own CloudEvents back (replays of recorded rounds)', () => {
    const event = normalizeText(fixture('http-control-plane-502')).events[0];
    const replayed = normalizeText(JSON.stringify([event])).events[0];
    assertValidEvent(replayed);
    expect(replayed?.data).toEqual({ ...event?.data, evidence: replayed?.data.evidence });
  });

  it('marks an up result resolved, with resolvedAt', () => {
    const up = {
      ...JSON.parse(fixture('http-control-plane-502')),
      outcome: 'up',
      error: null,
      errorDetail: null,
    };
    const data = probeResultFormat.normalize(up, context).events[0]?.data;
    expect(data).toMatchObject({
      status: 'resolved',
      severity: 'info',
      resolvedAt: '2026-02-02T19:15:00.544Z',
    });
  });

  it.each([
    [{ outcome: 'sideways' }, 'result.outcome'],
    [{ error: 'HTTP_9999' }, 'result.error'],
    [{ target: { id: 'x', kind: 'ftp', address: 'x' } }, 'result.target.kind'],
    [{ latencyMs: -1 }, 'result.latencyMs'],
    [{ finishedAt: 'yesterday' }, 'result.finishedAt'],
    [{ observations: { nested: { a: 1 } } }, 'result.observations.nested'],
    [{ vantage: null }, 'result.vantage'],
  ])('rejects %j naming the field %s', (patch, field) => {
    const bad = { ...JSON.parse(fixture('http-control-plane-502')), ...patch };
    expect(() => parseProbeResult(bad)).toThrow(InvalidInputError);
    try {
      parseProbeResult(bad);
    } catch (error) {
      expect((error as InvalidInputError).field).toBe(field);
    }
  });

  it('accepts the HTTP_<status> and SMTP_<reply> families and rejects other codes', () => {
    const base = JSON.parse(fixture('http-control-plane-502'));
    expect(parseProbeResult({ ...base, error: 'SMTP_451' }).error).toBe('SMTP_451');
    expect(parseProbeResult({ ...base, error: 'HTTP_504' }).error).toBe('HTTP_504');
    expect(() => parseProbeResult({ ...base, error: 'SMTP_999' })).toThrow(InvalidInputError);
  });
});
