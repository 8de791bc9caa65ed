import { describe, expect, it } from 'vitest';
import { createNotificationMessage, MESSAGE_LIMITS } from '../../../shared/notify/message.ts';
import {
  buildDecision,
  buildProbeIncident,
  buildProviderIncident,
  buildVantage,
  DECIDED_AT,
} from '../../helpers/notify-messages.ts';

describe('createNotificationMessage', () => {
  it('states a provider outage seen from every vantage and not yet acknowledged', () => {
    const incident = buildProbeIncident();
    const message = createNotificationMessage(buildDecision(incident), incident, {
      statusPageBaseUrl: 'https://status.example.com/',
    });
    expect(message.headline).toBe(
      'Azure control plane failing from 3 of 3 vantages, not acknowledged by Microsoft yet',
    );
    expect(message.title).toBe('[OPEN] Azure Resource Manager (control plane)');
    expect(message.action).toBe('trigger');
    expect(message.severity).toBe('critical');
    expect(message.verdict).toBe('provider-outage');
    expect(message.plane).toBe('control');
    expect(message.acknowledgement).toEqual({ acknowledged: false, trackingIds: [], acknowledgedAt: null });
    expect(message.statusPageUrl).toBe('https://status.example.com/incidents/probe%3Acontrol-arm');
    expect(message.links).toEqual([{ label: 'Status page', url: message.statusPageUrl }]);
    expect(message.seen).toContain(
      'Failing from aws-eu-west-1 (aws eu-west-1): HTTP_502 since 2026-02-02T19:15:00.000Z',
    );
    expect(message.seen).toContain('No matching Microsoft incident has been published yet');
    expect(message.likely[0]).toMatch(/Azure-side outage of the control plane/);
    // Facts and inferences never mix: the inference words stay out of `seen`.
    expect(message.seen.join(' ')).not.toMatch(/likely|outage/i);
  });

  it('names the acknowledgement, its tracking id and the lead time once Microsoft said so', () => {
    const incident = buildProbeIncident(
      {},
      {
        acknowledgedAt: '2026-02-02T19:29:00.000Z',
        leadTimeMs: 12 * 60_000,
        acknowledgedBy: [
          {
            incidentKey: 'azure:1LTK-9ZZ',
            provider: 'azure',
            title: 'ARM failures',
            publishedAt: '2026-02-02T19:29:00.000Z',
          },
        ],
      },
    );
    const message = createNotificationMessage(
      buildDecision(incident, { kind: 'update', reason: 'acknowledged:azure:1LTK-9ZZ' }),
      incident,
    );
    expect(message.headline).toBe(
      'Azure control plane failing from 3 of 3 vantages, acknowledged by Microsoft (1LTK-9ZZ)',
    );
    expect(message.acknowledgement).toEqual({
      acknowledged: true,
      trackingIds: ['1LTK-9ZZ'],
      acknowledgedAt: '2026-02-02T19:29:00.000Z',
    });
    expect(message.leadTimeMs).toBe(720_000);
    expect(message.seen).toContain('Lead time: crosswatch knew 12 min before Microsoft said so');
    expect(message.title.startsWith('[UPDATE]')).toBe(true);
    expect(message.statusPageUrl).toBeNull();
  });

  it('lists the failing vantages of a partial verdict and leaves stale vantages out of the count', () => {
    const incident = buildProbeIncident(
      {},
      {
        verdict: 'partial',
        vantages: {
          a: buildVantage('aws-eu-west-1', true),
          b: buildVantage('aws-us-east-1', false),
          c: buildVantage('azure-westeurope', false),
          d: buildVantage('aws-ap-south-1', false, { lastResultAt: '2026-02-02T10:00:00.000Z' }),
        },
      },
    );
    const message = createNotificationMessage(buildDecision(incident), incident);
    expect(message.headline).toBe(
      'Azure control plane failing from 1 of 3 vantages (aws-eu-west-1), not acknowledged by Microsoft yet; aws-ap-south-1 not heard from for 9 h 20 min',
    );
    expect(message.likely[0]).toMatch(/regional or path-specific/);
  });

  it('says plainly when it judges from one vantage alone (a deployment without peers)', () => {
    const incident = buildProbeIncident(
      {},
      { verdict: 'provider-outage', vantages: { a: buildVantage('local', true) } },
    );
    const message = createNotificationMessage(buildDecision(incident), incident);
    expect(message.headline).toBe(
      'Azure control plane failing from 1 of 1 vantage, not acknowledged by Microsoft yet; judged from local alone',
    );
  });

  it('says it is our network when only impaired vantages fail', () => {
    const impaired = buildVantage('aws-eu-west-1', false, {
      lastInconclusiveAt: '2026-02-02T19:19:40.000Z',
      lastInconclusiveReason: 'vantage-impaired',
    });
    const incident = buildProbeIncident({}, { verdict: 'vantage-impaired', vantages: { a: impaired } });
    const message = createNotificationMessage(buildDecision(incident), incident);
    expect(message.headline).toBe(
      'Azure control plane unreachable only from impaired vantages (aws-eu-west-1): likely our network, not Azure',
    );
  });

  it('names a vantage impaired by its control targets, and never prints an empty list', () => {
    // Impaired by its controls (the verdict saw it), not by an inconclusive result of this target.
    const byControls = buildProbeIncident(
      {},
      {
        verdict: 'vantage-impaired',
        impairedVantages: ['local'],
        vantages: { a: buildVantage('local', true) },
      },
    );
    expect(createNotificationMessage(buildDecision(byControls), byControls).headline).toBe(
      'Azure control plane unreachable only from impaired vantages (local): likely our network, not Azure',
    );
    // A record from before the impaired vantages were kept: the words, never "()".
    const legacy = buildProbeIncident(
      {},
      { verdict: 'vantage-impaired', vantages: { a: buildVantage('local', true) } },
    );
    const headline = createNotificationMessage(buildDecision(legacy), legacy).headline;
    expect(headline).not.toContain('()');
    expect(headline).toBe(
      'Azure control plane unreachable only from vantages whose own network is impaired: likely our network, not Azure',
    );
  });

  it('counts the outage duration in an unacknowledged escalation', () => {
    const incident = buildProbeIncident();
    const decision = buildDecision(incident, { kind: 'escalate', reason: 'unacknowledged' });
    const message = createNotificationMessage(decision, incident);
    expect(message.headline).toBe(
      'Azure control plane failing from 3 of 3 vantages for 3 min, not acknowledged by Microsoft yet',
    );
    expect(message.title.startsWith('[ESCALATION]')).toBe(true);
    expect(message.action).toBe('trigger');
  });

  it('resolves when the probe incident resolves', () => {
    const incident = buildProbeIncident(
      { status: 'resolved', resolvedAt: DECIDED_AT, severity: 'info' },
      {
        verdict: null,
        vantages: { a: buildVantage('aws-eu-west-1', false), b: buildVantage('aws-us-east-1', false) },
      },
    );
    const message = createNotificationMessage(buildDecision(incident, { kind: 'resolve' }), incident);
    expect(message.action).toBe('resolve');
    expect(message.status).toBe('resolved');
    expect(message.headline).toBe('Azure control plane healthy again from 2 vantages');
  });

  it('describes a provider incident with its tracking id and keeps http(s) links only', () => {
    const incident = buildProviderIncident();
    const message = createNotificationMessage(buildDecision(incident), incident, {
      links: [
        { label: 'Tracking', url: 'https://app.azure.com/h/1LTK-9ZZ/abc' },
        { label: 'Bad', url: 'javascript:alert(1)' },
      ],
    });
    expect(message.headline).toBe(
      'Microsoft reports an incident affecting Virtual Machines in East US (tracking 1LTK-9ZZ, stage Active)',
    );
    expect(message.acknowledgement).toEqual({
      acknowledged: true,
      trackingIds: ['1LTK-9ZZ'],
      acknowledgedAt: '2026-02-02T19:50:00.000Z',
    });
    expect(message.links).toEqual([{ label: 'Tracking', url: 'https://app.azure.com/h/1LTK-9ZZ/abc' }]);
    expect(message.seen).toContain('Seen from 2 subscriptions: sub-1, sub-2');
    expect([message.subscriptions, message.subscriptionCount]).toEqual([['sub-1', 'sub-2'], 2]);
    expect(message.likely).toEqual([
      'Workloads using Virtual Machines in East US may fail until Microsoft mitigates',
    ]);
  });

  it('never re-triggers for an update published after resolution (an RCA)', () => {
    const incident = buildProviderIncident({ status: 'resolved', stage: 'RCA' });
    const message = createNotificationMessage(
      buildDecision(incident, { kind: 'update', status: 'resolved' }),
      incident,
    );
    expect(message.action).toBe('info');
  });

  it('calls a slow or intermittent target degraded, and announces maintenance as planned work', () => {
    const slow = buildProbeIncident({ severity: 'warning' }, { verdict: 'degraded' });
    expect(createNotificationMessage(buildDecision(slow), slow).headline).toBe(
      'Azure control plane degraded (slow or intermittent) from 3 of 3 vantages, not acknowledged by Microsoft yet',
    );
    const maintenance = buildProviderIncident({ category: 'maintenance', stage: 'Planned' });
    const message = createNotificationMessage(buildDecision(maintenance), maintenance);
    expect(message.headline).toBe(
      'Microsoft announces planned maintenance of Virtual Machines in East US (tracking 1LTK-9ZZ, stage Planned)',
    );
    expect(message.likely).toEqual(['Planned work: expect brief disruption during the window']);
  });

  it('bounds the title and summary it carries', () => {
    const incident = buildProviderIncident({ summary: 's'.repeat(100_000), title: 't'.repeat(5_000) });
    const message = createNotificationMessage(buildDecision(incident, { title: null }), incident);
    expect(message.summary.length).toBeLessThanOrEqual(MESSAGE_LIMITS.summary);
    expect(message.title.length).toBeLessThanOrEqual(MESSAGE_LIMITS.title);
    expect(message.title.startsWith('[OPEN] ttt')).toBe(true);
  });

  it('builds a watchdog escalation without an incident record', () => {
    const decision = buildDecision(null, {
      kind: 'escalate',
      reason: 'watchdog-stale',
      severity: 'critical',
    });
    const message = createNotificationMessage(decision, null);
    expect(message.headline).toBe('Deployment azure-prod stopped sending heartbeats');
    expect(message.provider).toBe('crosswatch');
    expect(message.action).toBe('trigger');
    expect(message.likely[0]).toMatch(/own pipeline/);
  });
});
