/**
 * A vantage that loses its network: every target, controls included, fails for several rounds, then
 * recovers. Driven with probe-result CloudEvents through the real engine (memory store), the real
 * outbox enqueue and the real message builder and renderers: one `vantage-impaired` signal naming
 * the vantage, one `vantage-recovered` note, nothing for the control targets, nothing for the
 * provider targets, and no intermediate verdict update while the vantage comes back.
 */
import { describe, expect, it } from 'vitest';
import type { Decision } from '../../../shared/engine/decision.ts';
import { getIncident, processEvent } from '../../../shared/engine/process-event.ts';
import { type EnqueueResult, enqueueNotifications } from '../../../shared/notify/enqueue-notifications.ts';
import type { NotificationMessage } from '../../../shared/notify/message.ts';
import { renderEmail } from '../../../shared/notify/render/email-message.ts';
import { renderSlackMessage } from '../../../shared/notify/render/slack-message.ts';
import { renderTeamsMessage } from '../../../shared/notify/render/teams-message.ts';
import type { RoutingTable } from '../../../shared/notify/routing.ts';
import { createMemoryStore } from '../../../shared/store/memory-store.ts';
import type { StateStore } from '../../../shared/store/ports.ts';
import { buildProbeEvent, minute, type ProbeSpec } from '../../helpers/engine-events.ts';

/** The default catalog's control targets and three of its Microsoft targets. */
const CONTROLS = [
  'ctl-dns-cloudflare',
  'ctl-dns-google',
  'ctl-dns-quad9',
  'ctl-https-cloudflare',
  'ctl-https-google',
];
const PROVIDER_TARGETS: readonly { id: string; plane: NonNullable<ProbeSpec['plane']> }[] = [
  { id: 'control-arm', plane: 'control' },
  { id: 'entra-discovery', plane: 'identity' },
  { id: 'm365-outlook-smtp', plane: 'mail' },
];

/** The setup: Slack, Teams and the webhook on the default route, no rule. */
const ROUTING: RoutingTable = {
  routes: [],
  defaultRoute: { sinks: ['slack', 'teams', 'webhook'], fallback: [] },
};

type NetworkState = 'up' | 'down';

interface RoundOptions {
  /** How the local vantage's Microsoft targets report while its network is down. */
  readonly gated: boolean;
  /** Controls first (the runner's order) or last. */
  readonly controlsFirst: boolean;
}

/** One probe round from each vantage; every result is decided, then its decisions are enqueued. */
async function runRound(
  store: StateStore,
  round: number,
  local: NetworkState,
  options: RoundOptions,
  routing: RoutingTable = ROUTING,
): Promise<{ decisions: Decision[]; enqueued: EnqueueResult[] }> {
  const at = minute(round);
  const events = [];
  for (const vantageId of ['local', 'aws-eu-west-1']) {
    const down = vantageId === 'local' && local === 'down';
    const controls = CONTROLS.map((targetId) =>
      buildProbeEvent({
        targetId,
        control: true,
        vantageId,
        cloud: vantageId === 'local' ? 'local' : 'aws',
        roundId: `${vantageId}-r${round}`,
        outcome: down ? 'down' : 'up',
        at,
        services: [],
        regions: [],
      }),
    );
    const targets = PROVIDER_TARGETS.map(({ id, plane }) =>
      buildProbeEvent({
        targetId: id,
        plane,
        vantageId,
        cloud: vantageId === 'local' ? 'local' : 'aws',
        roundId: `${vantageId}-r${round}`,
        outcome: down ? (options.gated ? 'inconclusive' : 'down') : 'up',
        reason: down && options.gated ? 'vantage-impaired' : null,
        at,
        regions: [],
      }),
    );
    events.push(...(options.controlsFirst ? [...controls, ...targets] : [...targets, ...controls]));
  }
  const decisions: Decision[] = [];
  const enqueued: EnqueueResult[] = [];
  for (const event of events) {
    const decided = await processEvent(event, { store, now: new Date(at) });
    decisions.push(...decided);
    enqueued.push(await enqueueNotifications(decided, { store, routing, now: () => new Date(at) }));
  }
  return { decisions, enqueued };
}

/** 2 healthy rounds, 8 rounds with the local network down, 4 rounds back up. */
const TIMELINE: readonly NetworkState[] = [
  'up',
  'up',
  ...Array.from({ length: 8 }, (): NetworkState => 'down'),
  'up',
  'up',
  'up',
  'up',
];

async function runTimeline(options: RoundOptions, routing: RoutingTable = ROUTING) {
  const store = createMemoryStore();
  const decisions: Decision[] = [];
  const created: EnqueueResult['created'][number][] = [];
  const recoveryDecisions: Decision[] = [];
  for (const [round, state] of TIMELINE.entries()) {
    const result = await runRound(store, round, state, options, routing);
    decisions.push(...result.decisions);
    for (const enqueued of result.enqueued) created.push(...enqueued.created);
    if (round >= 10) recoveryDecisions.push(...result.decisions);
  }
  return { store, decisions, created, recoveryDecisions };
}

describe('a vantage that loses its network', () => {
  for (const options of [
    { gated: true, controlsFirst: true },
    { gated: false, controlsFirst: false },
  ] as const) {
    const label = `${options.gated ? 'runner-gated (inconclusive)' : 'ungated (down)'} results, controls ${options.controlsFirst ? 'first' : 'last'}`;

    it(`notifies one vantage-impaired signal naming it, then one recovery, nothing else (${label})`, async () => {
      const { created } = await runTimeline(options);
      // One delivery per sink of the default route for each notified decision.
      const notified = [
        ...new Map(
          created.map((record) => [record.decisionId, record.message as NotificationMessage]),
        ).values(),
      ];
      expect(notified.map((message) => [message.decisionKind, message.reason, message.incidentKey])).toEqual([
        ['escalate', 'vantage-impaired', 'vantage:local'],
        ['recover', 'vantage-recovered', 'vantage:local'],
      ]);
      expect(created.map((record) => record.sink).sort()).toEqual(
        ['slack', 'slack', 'teams', 'teams', 'webhook', 'webhook'].sort(),
      );
      const [impaired, recovered] = notified;
      expect(impaired?.title).toBe(
        '[ESCALATION] Vantage local (local eu-west-1) impaired: 5 of 5 control targets outside Microsoft fail',
      );
      expect(impaired?.action).toBe('trigger');
      expect(impaired?.category).toBe('vantage');
      expect(impaired?.likely[0]).toContain('The network at vantage local is failing, not Microsoft');
      expect(recovered?.action).toBe('resolve');
      expect(recovered?.title).toContain('Vantage local (local eu-west-1) recovered');
      // Every rendering names the vantage, and no list is ever empty.
      for (const message of notified) {
        if (!message) continue;
        const rendered = [
          JSON.stringify(renderSlackMessage(message)),
          JSON.stringify(renderTeamsMessage(message)),
          renderEmail(message).text,
        ];
        for (const text of rendered) {
          expect(text).toContain('Vantage local');
          expect(text).not.toContain('()');
        }
      }
    });

    it(`opens no incident for the control or the Microsoft targets (${label})`, async () => {
      const { store, decisions, recoveryDecisions } = await runTimeline(options);
      const notifying = decisions.filter((d) =>
        ['open', 'update', 'resolve', 'reopen', 'escalate', 'recover'].includes(d.kind),
      );
      expect(notifying.map((d) => d.incidentKey)).toEqual(['vantage:local', 'vantage:local']);
      for (const id of [...CONTROLS, ...PROVIDER_TARGETS.map((target) => target.id)]) {
        const incident = await getIncident(store, `probe:${id}`);
        expect(incident?.status).toBe('resolved');
        expect(incident?.episode).toBe(0);
      }
      const control = decisions.filter((d) => d.incidentKey === 'probe:ctl-dns-cloudflare');
      expect(new Set(control.map((d) => d.reason))).toEqual(new Set(['control-target']));
      // Nothing about a Microsoft target carries an intermediate verdict while the vantage comes back.
      const providerKeys = new Set(PROVIDER_TARGETS.map((target) => `probe:${target.id}`));
      const recovering = recoveryDecisions.filter((d) => providerKeys.has(d.incidentKey));
      expect(recovering.length).toBeGreaterThan(0);
      expect(recovering.filter((d) => d.verdict === 'partial' || d.kind !== 'observe')).toEqual([]);
    });
  }

  it('a rule on category "vantage" sends the signals to an operations channel only', async () => {
    const routing: RoutingTable = {
      routes: [
        { name: 'ops', match: { categories: ['vantage'] }, sinks: ['ops'], continue: false, fallback: [] },
      ],
      defaultRoute: ROUTING.defaultRoute,
    };
    const { created } = await runTimeline({ gated: true, controlsFirst: true }, routing);
    expect(created.map((record) => [record.sink, record.rule])).toEqual([
      ['ops', 'ops'],
      ['ops', 'ops'],
    ]);
  });

  it('an impairment that flickers for fewer rounds than the open threshold notifies nothing', async () => {
    const store = createMemoryStore();
    const decisions: Decision[] = [];
    const options = { gated: true, controlsFirst: true };
    for (const [round, state] of (['up', 'down', 'down', 'up', 'up', 'up'] as const).entries()) {
      decisions.push(...(await runRound(store, round, state, options)).decisions);
    }
    expect(decisions.filter((d) => d.kind === 'escalate' || d.kind === 'recover')).toEqual([]);
  });
});

describe('an open provider-target incident while its vantage loses the network and comes back', () => {
  it('sends no intermediate partial update during the recovery: the resolve is the news', async () => {
    const store = createMemoryStore();
    const vantageId = 'local';
    const decide = async (round: number, outcome: ProbeSpec['outcome'], controls: 'up' | 'down') => {
      const at = minute(round);
      const out: Decision[] = [];
      for (const targetId of CONTROLS) {
        out.push(
          ...(await processEvent(
            buildProbeEvent({
              targetId,
              control: true,
              vantageId,
              roundId: `r${round}`,
              outcome: controls,
              at,
            }),
            { store, now: new Date(at) },
          )),
        );
      }
      out.push(
        ...(await processEvent(
          buildProbeEvent({
            targetId: 'control-arm',
            vantageId,
            roundId: `r${round}`,
            outcome,
            reason: outcome === 'inconclusive' ? 'vantage-impaired' : null,
            at,
          }),
          { store, now: new Date(at) },
        )),
      );
      return out.filter((d) => d.incidentKey === 'probe:control-arm');
    };
    // ARM fails while the vantage's own network is fine: a real (partial) incident opens.
    const opening: Decision[] = [];
    for (const round of [0, 1, 2]) opening.push(...(await decide(round, 'down', 'up')));
    expect(opening.at(-1)?.kind).toBe('open');
    // Then the vantage's network goes down: ARM's results are inconclusive (vantage-impaired).
    const impaired: Decision[] = [];
    for (const round of [3, 4, 5]) impaired.push(...(await decide(round, 'inconclusive', 'down')));
    // The network comes back and ARM answers again.
    const recovery: Decision[] = [];
    for (const round of [6, 7]) recovery.push(...(await decide(round, 'up', 'up')));
    expect(recovery.map((d) => [d.kind, d.reason, d.verdict])).toEqual([
      ['suppressed', 'recovering', 'partial'],
      ['resolve', 'vantage-recovered:local', null],
    ]);
    expect((await getIncident(store, 'probe:control-arm'))?.status).toBe('resolved');
  });
});
