/**
 * Subscriptions in messages and per-subscription routing, after real engine runs over Service Health
 * updates sent by several subscriptions (memory store, real enqueue, real message builder and
 * renderers): messages name the subscriptions (at most 5, then "and N more"); rules match
 * `subscriptions`; with `splitBySubscription` each subscription's route gets a delivery naming only
 * it, including a subscription whose copy arrives after the others; bad settings are refused with one
 * line naming the setting.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../shared/config/crosswatch-config.ts';
import { loadConfig } from '../../../shared/config/load-config.ts';
import type { Decision } from '../../../shared/engine/decision.ts';
import { processEvent } from '../../../shared/engine/process-event.ts';
import type { DeliveryRecord } from '../../../shared/notify/delivery-record.ts';
import { enqueueNotifications } from '../../../shared/notify/enqueue-notifications.ts';
import type { NotificationMessage } from '../../../shared/notify/message.ts';
import { NotifyConfigError, validateNotifyConfig } from '../../../shared/notify/notify-config.ts';
import { renderEmail } from '../../../shared/notify/render/email-message.ts';
import { renderOpsgenieCreate } from '../../../shared/notify/render/opsgenie-alert.ts';
import { renderPagerDutyEvent } from '../../../shared/notify/render/pagerduty-event.ts';
import { renderSlackMessage } from '../../../shared/notify/render/slack-message.ts';
import { renderTeamsMessage } from '../../../shared/notify/render/teams-message.ts';
import { renderWebhookPayload } from '../../../shared/notify/render/webhook-payload.ts';
import {
  describeRouteSubject,
  type RoutingTable,
  routeBySubscription,
} from '../../../shared/notify/routing.ts';
import { createMemoryStore } from '../../../shared/store/memory-store.ts';
import type { StateStore } from '../../../shared/store/ports.ts';
import { buildAzureServiceHealthEvent, minute } from '../../helpers/engine-events.ts';
import { buildDecision } from '../../helpers/outbox-fixtures.ts';

/** Subscription ids `00000000-0000-0000-0000-00000000000<n>`. */
function subscription(n: number): string {
  return `00000000-0000-0000-0000-${String(n).padStart(12, '0')}`;
}

/** One Service Health communication as each subscription sends it, each copy decided and enqueued. */
async function deliverUpdate(
  store: StateStore,
  routing: RoutingTable,
  subscriptions: readonly string[],
  update: { communicationId: string; stage: string; at: number },
): Promise<{ decisions: Decision[]; created: DeliveryRecord[] }> {
  const decisions: Decision[] = [];
  const created: DeliveryRecord[] = [];
  for (const subscriptionId of subscriptions) {
    const event = buildAzureServiceHealthEvent({
      trackingId: 'VLX8-3Z8',
      communicationId: update.communicationId,
      stage: update.stage,
      updatedAt: minute(update.at),
      subscriptionId,
    });
    const now = new Date(minute(update.at + 1));
    const decided = await processEvent(event, { store, now });
    decisions.push(...decided);
    created.push(...(await enqueueNotifications(decided, { store, routing, now: () => now })).created);
  }
  return { decisions, created };
}

const ONE_SINK: RoutingTable = { routes: [], defaultRoute: { sinks: ['slack'], fallback: [] } };

/** Every rendering a sink sends, as text. */
function renderAll(message: NotificationMessage): Record<string, string> {
  return {
    slack: JSON.stringify(renderSlackMessage(message)),
    teams: JSON.stringify(renderTeamsMessage(message)),
    email: `${renderEmail(message).text}\n${renderEmail(message).html}`,
    pagerduty: JSON.stringify(renderPagerDutyEvent(message, 'key', 'trigger')),
    opsgenie: JSON.stringify(renderOpsgenieCreate(message)),
    webhook: JSON.stringify(renderWebhookPayload(message, 'delivery-1')),
  };
}

describe('messages name the subscriptions an incident was seen from', () => {
  it('an incident seen by 4 subscriptions: its next update names all 4 in every rendering', async () => {
    const store = createMemoryStore();
    const subscriptions = [1, 2, 3, 4].map(subscription);
    await deliverUpdate(store, ONE_SINK, subscriptions, { communicationId: '1', stage: 'Active', at: 5 });
    const { created } = await deliverUpdate(store, ONE_SINK, subscriptions, {
      communicationId: '2',
      stage: 'Active',
      at: 20,
    });
    expect(created).toHaveLength(1);
    const message = created[0]?.message as NotificationMessage;
    expect(message.decisionKind).toBe('update');
    expect(message.seen).toContain(`Seen from 4 subscriptions: ${subscriptions.join(', ')}`);
    expect([message.subscriptions, message.subscriptionCount]).toEqual([subscriptions, 4]);
    for (const [sink, text] of Object.entries(renderAll(message))) {
      for (const id of subscriptions) expect(text, `${sink} names ${id}`).toContain(id);
    }
  });

  it('names at most 5, then says how many more', async () => {
    const store = createMemoryStore();
    const subscriptions = [1, 2, 3, 4, 5, 6, 7].map(subscription);
    await deliverUpdate(store, ONE_SINK, subscriptions, { communicationId: '1', stage: 'Active', at: 5 });
    const { created } = await deliverUpdate(store, ONE_SINK, subscriptions.slice(0, 1), {
      communicationId: '2',
      stage: 'Active',
      at: 20,
    });
    const message = created[0]?.message as NotificationMessage;
    expect(message.seen).toContain(
      `Seen from 7 subscriptions: ${subscriptions.slice(0, 5).join(', ')} and 2 more`,
    );
    const slack = renderAll(message).slack;
    expect(slack).toContain(subscription(5));
    expect(slack).not.toContain(subscription(6));
    expect(message.subscriptionCount).toBe(7);
  });
});

describe('per-subscription routing', () => {
  const TEAM_A = subscription(1);
  const TEAM_B = subscription(2);
  const OTHER = subscription(3);

  const SPLIT: RoutingTable = {
    routes: [
      {
        name: 'team-a',
        match: { subscriptions: [TEAM_A] },
        sinks: ['team-a'],
        continue: false,
        fallback: [],
      },
      {
        name: 'team-b',
        match: { subscriptions: [TEAM_B.toUpperCase()] },
        sinks: ['team-b'],
        continue: false,
        fallback: [],
      },
    ],
    defaultRoute: { sinks: ['ops'], fallback: [] },
    splitBySubscription: true,
  };

  function namedBySink(created: readonly DeliveryRecord[]): Record<string, readonly string[] | undefined> {
    return Object.fromEntries(
      created.map((record) => [record.sink, (record.message as NotificationMessage).subscriptions]),
    );
  }

  it('without the split, a subscriptions rule matches an incident seen from any of them and names all', async () => {
    const store = createMemoryStore();
    const routing: RoutingTable = { ...SPLIT, splitBySubscription: false };
    await deliverUpdate(store, routing, [OTHER, TEAM_B], { communicationId: '1', stage: 'Active', at: 5 });
    const { created } = await deliverUpdate(store, routing, [OTHER], {
      communicationId: '2',
      stage: 'Active',
      at: 20,
    });
    expect(namedBySink(created)).toEqual({ 'team-b': [OTHER, TEAM_B] });
  });

  it("with the split, each subscription's route gets the incident naming only that subscription", async () => {
    const store = createMemoryStore();
    await deliverUpdate(store, SPLIT, [TEAM_A, TEAM_B, OTHER], {
      communicationId: '1',
      stage: 'Active',
      at: 5,
    });
    const { created } = await deliverUpdate(store, SPLIT, [TEAM_A], {
      communicationId: '2',
      stage: 'Active',
      at: 20,
    });
    expect(namedBySink(created)).toEqual({ 'team-a': [TEAM_A], 'team-b': [TEAM_B], ops: [OTHER] });
    const teamB = created.find((record) => record.sink === 'team-b')?.message as NotificationMessage;
    expect(teamB.seen).toContain(`Seen from subscription: ${TEAM_B}`);
    expect(JSON.stringify(renderSlackMessage(teamB))).not.toContain(TEAM_A);
  });

  it('a subscription whose copy arrives after the others still gets the update on its own route, once', async () => {
    const store = createMemoryStore();
    // Team A's copy opens the incident; team B's copy of the same update is a duplicate.
    const first = await deliverUpdate(store, SPLIT, [TEAM_A], {
      communicationId: '1',
      stage: 'Active',
      at: 5,
    });
    expect(namedBySink(first.created)).toEqual({ 'team-a': [TEAM_A] });
    const late = await deliverUpdate(store, SPLIT, [TEAM_B, TEAM_B], {
      communicationId: '1',
      stage: 'Active',
      at: 5,
    });
    expect(late.decisions.map((d) => d.kind)).toEqual(['duplicate', 'duplicate']);
    expect(namedBySink(late.created)).toEqual({ 'team-b': [TEAM_B] });
    expect((late.created[0]?.message as NotificationMessage | undefined)?.decisionKind).toBe('open');
  });

  it('an incident without subscriptions (a probe, a health source) routes as before', () => {
    const routed = routeBySubscription(SPLIT, describeRouteSubject(buildDecision(), undefined, new Date()));
    expect(routed).toEqual([{ sink: 'ops', rule: 'default', fallback: [], subscriptions: null }]);
  });
});

describe('per-subscription routing settings', () => {
  const sinks = [{ kind: 'console', name: 'ops' }];

  it('reads splitBySubscription and subscriptions rules', () => {
    const config = validateNotifyConfig({
      sinks,
      splitBySubscription: true,
      routes: [{ match: { subscriptions: [subscription(1), '123456789012'] }, sinks: ['ops'] }],
    });
    expect(config.splitBySubscription).toBe(true);
    expect(config.routes[0]?.match.subscriptions).toEqual([subscription(1), '123456789012']);
    expect(validateNotifyConfig({ sinks }).splitBySubscription).toBe(false);
  });

  it.each([
    [{ sinks, splitBySubscription: 'yes' }, 'notify.splitBySubscription: must be true or false'],
    [
      { sinks, routes: [{ match: { subscriptions: 'abc' }, sinks: ['ops'] }] },
      'notify.routes[0].match.subscriptions: must be a list of strings',
    ],
    [
      { sinks, routes: [{ match: { subscriptions: [subscription(1), 'prod'] }, sinks: ['ops'] }] },
      'notify.routes[0].match.subscriptions[1]: must be an Azure subscription id (a GUID) or an AWS account id (12 digits)',
    ],
  ])('refuses %j with one line naming the setting', (section, message) => {
    const error = (() => {
      try {
        validateNotifyConfig(section);
      } catch (thrown) {
        return thrown;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(NotifyConfigError);
    expect((error as Error).message).toBe(message);
  });

  it('the configuration loader reports it with the file and the setting, on one line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'crosswatch-subscriptions-'));
    try {
      await writeFile(
        join(dir, 'crosswatch.config.json'),
        JSON.stringify({ notify: { routes: [{ match: { subscriptions: ['prod'] }, sinks: ['console'] }] } }),
      );
      const error = await loadConfig({ env: {}, cwd: dir }).then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toBe(
        'crosswatch.config.json: notify.routes[0].match.subscriptions[0]: must be an Azure subscription id (a GUID) or an AWS account id (12 digits)',
      );
      await writeFile(
        join(dir, 'crosswatch.config.json'),
        JSON.stringify({ notify: { splitBySubscription: true } }),
      );
      expect((await loadConfig({ env: {}, cwd: dir })).notify.splitBySubscription).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
