/**
 * Routing: every criterion, first-match-wins with `continue`, the default route, one delivery per sink,
 * and explanations that say why each rule matched or not.
 */
import { describe, expect, it } from 'vitest';
import type { IncidentRecord } from '../../../shared/engine/incident-record.ts';
import {
  checkRouteMatch,
  describeRouteSubject,
  explainRoute,
  formatRouteExplanation,
  type RouteSubject,
  type RoutingTable,
  routeSubject,
} from '../../../shared/notify/routing.ts';
import { buildDecision, T0 } from '../../helpers/outbox-fixtures.ts';

const SUBJECT: RouteSubject = {
  decisionKind: 'open',
  provider: 'azure',
  category: 'incident',
  status: 'open',
  severity: 'error',
  verdict: 'provider-outage',
  plane: 'identity',
  services: ['Microsoft Entra ID', 'Azure Resource Manager'],
  regions: ['West Europe'],
  subscriptions: ['aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e'],
  ageMs: 20 * 60_000,
  acknowledged: false,
};

const TABLE: RoutingTable = {
  routes: [
    {
      name: 'maintenance-to-email',
      match: { categories: ['maintenance'] },
      sinks: ['email'],
      continue: false,
      fallback: [],
    },
    {
      name: 'outage-page',
      match: { verdicts: ['provider-outage'], minSeverity: 'error' },
      sinks: ['pagerduty'],
      continue: true,
      fallback: ['sms'],
    },
    {
      match: { planes: ['identity', 'mail'] },
      sinks: ['teams', 'pagerduty'],
      continue: false,
      fallback: ['slack'],
    },
    { name: 'never-reached', match: {}, sinks: ['webhook'], continue: false, fallback: [] },
  ],
  defaultRoute: { sinks: ['slack'], fallback: [] },
};

describe('checkRouteMatch', () => {
  const cases: [string, Parameters<typeof checkRouteMatch>[0], boolean, string][] = [
    [
      'provider, case-insensitive',
      { providers: ['AZURE', 'aws'] },
      true,
      'provider "azure" is one of [AZURE, aws]',
    ],
    ['category miss', { categories: ['security'] }, false, 'category "incident" is not one of [security]'],
    ['status', { statuses: ['resolved'] }, false, 'status "open" is not one of [resolved]'],
    ['severity list', { severities: ['critical'] }, false, 'severity "error" is not one of [critical]'],
    ['min severity met', { minSeverity: 'warning' }, true, 'severity "error" is at least warning'],
    ['min severity missed', { minSeverity: 'critical' }, false, 'severity "error" is not at least critical'],
    ['verdict', { verdicts: ['partial'] }, false, 'verdict "provider-outage" is not one of [partial]'],
    ['plane', { planes: ['identity'] }, true, 'plane "identity" is one of [identity]'],
    [
      'service any-of',
      { services: ['azure resource manager'] },
      true,
      'services include "Azure Resource Manager" from [azure resource manager]',
    ],
    ['region miss', { regions: ['East US'] }, false, 'regions [West Europe] include none of [East US]'],
    ['min age', { minAgeMs: 15 * 60_000 }, true, 'incident age 20 min is at least 15 min'],
    ['max age', { maxAgeMs: 60_000 }, false, 'incident age 20 min is not at most 1 min'],
    [
      'acknowledged',
      { acknowledged: true },
      false,
      'the provider has not acknowledged it (wanted acknowledged)',
    ],
    [
      'decision kind',
      { decisionKinds: ['escalate'] },
      false,
      'decision kind "open" is not one of [escalate]',
    ],
  ];
  for (const [title, match, matched, reason] of cases) {
    it(title, () => {
      const result = checkRouteMatch(match, SUBJECT);
      expect(result).toEqual({ matched, reasons: [reason] });
    });
  }

  it('requires every criterion (AND) and matches everything when empty', () => {
    expect(checkRouteMatch({ providers: ['azure'], regions: ['East US'] }, SUBJECT).matched).toBe(false);
    expect(checkRouteMatch({}, SUBJECT)).toEqual({
      matched: true,
      reasons: ['no criteria: matches everything'],
    });
  });

  it('does not match on unknown values', () => {
    const unknown = { ...SUBJECT, plane: null, ageMs: null };
    expect(checkRouteMatch({ planes: ['dns'] }, unknown).reasons).toEqual([
      'plane is not known, wanted one of [dns]',
    ]);
    expect(checkRouteMatch({ minAgeMs: 0 }, unknown).matched).toBe(false);
  });
});

describe('explainRoute', () => {
  it('walks rules in order: continue goes on, the first non-continue match stops', () => {
    const explanation = explainRoute(TABLE, SUBJECT);
    expect(explanation.rules.map((rule) => [rule.rule, rule.result])).toEqual([
      ['maintenance-to-email', 'not-matched'],
      ['outage-page', 'matched'],
      ['routes[2]', 'matched'],
      ['never-reached', 'not-evaluated'],
    ]);
    expect(explanation.defaultUsed).toBe(false);
    // pagerduty once, from the first rule that named it (with that rule's fallback).
    expect(explanation.routed).toEqual([
      { sink: 'pagerduty', rule: 'outage-page', fallback: ['sms'] },
      { sink: 'teams', rule: 'routes[2]', fallback: ['slack'] },
    ]);
    const text = formatRouteExplanation(explanation);
    expect(text).toContain('maintenance-to-email: NOT-MATCHED → [email]');
    expect(text).toContain('- category "incident" is not one of [maintenance]');
    expect(text).toContain('outage-page: MATCHED → [pagerduty] (continue)');
    expect(text).toContain('never-reached: NOT-EVALUATED');
    expect(text).toContain(
      'sends to: pagerduty (outage-page; fallback sms), teams (routes[2]; fallback slack)',
    );
  });

  it('uses the default route when no rule matches', () => {
    const subject = { ...SUBJECT, verdict: null, plane: null, category: 'advisory', severity: 'info' };
    const table = { ...TABLE, routes: TABLE.routes.slice(0, 3) };
    const explanation = explainRoute(table, subject);
    expect(explanation.defaultUsed).toBe(true);
    expect(routeSubject(table, subject)).toEqual([{ sink: 'slack', rule: 'default', fallback: [] }]);
    expect(formatRouteExplanation(explanation)).toContain('default route: USED (no rule matched)');
  });
});

describe('describeRouteSubject', () => {
  it('reads a probe incident: plane, verdict, acknowledgement and age', () => {
    const decision = buildDecision({
      kind: 'escalate',
      incidentKey: 'probe:entra-login',
      provider: 'crosswatch',
      category: 'probe',
    });
    const incident = {
      kind: 'probe',
      provider: 'crosswatch',
      category: 'probe',
      status: 'open',
      severity: 'critical',
      services: ['Microsoft Entra ID'],
      regions: [],
      startedAt: null,
      firstSeenAt: new Date(T0 - 16 * 60_000).toISOString(),
      probeState: { plane: 'identity', verdict: 'provider-outage', acknowledgedBy: [] },
    } as unknown as IncidentRecord;
    const subject = describeRouteSubject(decision, incident, new Date(T0));
    expect(subject).toMatchObject({
      decisionKind: 'escalate',
      plane: 'identity',
      verdict: 'provider-outage',
      acknowledged: false,
      ageMs: 16 * 60_000,
      services: ['Microsoft Entra ID'],
    });
  });

  it('treats provider incidents as acknowledged and decisions without an incident as unknown', () => {
    const decision = buildDecision();
    const provider = {
      kind: 'provider',
      services: [],
      regions: [],
      startedAt: new Date(T0).toISOString(),
      probeState: null,
    } as unknown as IncidentRecord;
    expect(describeRouteSubject(decision, provider, new Date(T0)).acknowledged).toBe(true);
    const orphan = describeRouteSubject(
      buildDecision({ incidentKey: 'watchdog:eu' }),
      undefined,
      new Date(T0),
    );
    expect(orphan).toMatchObject({ acknowledged: false, ageMs: null, plane: null, services: [] });
  });
});
