/**
 * The provider-health poll as the runtimes run it: the configured pollers (Resource Health, Graph,
 * the status feed) are built from `config.pollers`, run as one round, and the events they find go
 * through the pipeline's engine → outbox path. The TokenCredential comes from the runtime
 * (`credentialFor`): DefaultAzureCredential on Azure, a ClientSecretCredential whose secret came from
 * Secrets Manager or SSM on AWS, the configured client secret locally.
 */
import type { TokenCredential } from '@azure/identity';
import type { PollerCredentials, PollersConfig } from '../config/crosswatch-config.ts';
import type { Decision } from '../engine/decision.ts';
import { processEvents } from '../engine/process-event.ts';
import { enqueueNotifications } from '../notify/enqueue-notifications.ts';
import { pollGraphServiceHealth } from '../poll/graph-service-health.ts';
import { HEALTH_SOURCES } from '../poll/poll-result.ts';
import { pollResourceHealth } from '../poll/resource-health.ts';
import { type Poller, type PollRoundSummary, runPollRound } from '../poll/run-poll-round.ts';
import { pollStatusFeed } from '../poll/status-feed.ts';
import { type PipelineDeps, reportDecisions } from './pipeline-deps.ts';

export interface PollEndpoints {
  /** ARM endpoint override (sovereign clouds, tests). */
  readonly arm?: string;
  /** Graph base URL override (national clouds, tests). */
  readonly graph?: string;
  readonly statusFeed?: string;
  /** Extra trust anchors for the endpoints (tests). */
  readonly ca?: string;
  readonly fetch?: typeof fetch;
}

export interface PollProviderHealthOptions {
  readonly pollers: PollersConfig;
  /** The credential for a poller: its configured service principal, or null for the platform identity. */
  readonly credentialFor: (credentials: PollerCredentials | null) => Promise<TokenCredential>;
  readonly endpoints?: PollEndpoints;
  /** Resource Health events updated since (default: 7 days before now). */
  readonly lookbackMs?: number;
}

export function buildPollers(options: PollProviderHealthOptions, now: () => Date): Poller[] {
  const { pollers, endpoints = {} } = options;
  const lookbackMs = options.lookbackMs ?? 7 * 24 * 60 * 60_000;
  const list: Poller[] = [];
  const rh = pollers.azureResourceHealth;
  if (rh?.enabled) {
    list.push({
      source: HEALTH_SOURCES.azureResourceHealth,
      poll: async () =>
        pollResourceHealth({
          subscriptionIds: rh.subscriptionIds,
          credential: await options.credentialFor(rh.credentials),
          queryStartTime: new Date(now().getTime() - lookbackMs).toISOString().slice(0, 10),
          now,
          ...(endpoints.arm ? { endpoint: endpoints.arm } : {}),
          ...(endpoints.ca ? { ca: endpoints.ca } : {}),
        }),
    });
  }
  const m365 = pollers.m365;
  if (m365?.enabled) {
    list.push({
      source: HEALTH_SOURCES.m365Graph,
      poll: async () =>
        pollGraphServiceHealth({
          credential: await options.credentialFor(m365.credentials),
          modifiedSince: new Date(now().getTime() - lookbackMs),
          now,
          ...(endpoints.graph ? { baseUrl: endpoints.graph } : {}),
          ...(endpoints.fetch ? { fetch: endpoints.fetch } : {}),
        }),
    });
  }
  if (pollers.azureStatusFeed?.enabled) {
    list.push({
      source: HEALTH_SOURCES.azureStatusFeed,
      poll: () =>
        pollStatusFeed({
          now,
          ...(endpoints.statusFeed ? { url: endpoints.statusFeed } : {}),
          ...(endpoints.ca ? { ca: endpoints.ca } : {}),
        }),
    });
  }
  return list;
}

export interface PollOutcome extends PollRoundSummary {
  /** Deliveries written to the outbox. */
  readonly queued: number;
}

export async function pollProviderHealth(
  options: PollProviderHealthOptions,
  deps: PipelineDeps,
): Promise<PollOutcome> {
  const pollers = buildPollers(options, deps.now);
  const summary = await runPollRound(pollers, {
    store: deps.store,
    config: deps.engine,
    now: deps.now,
    processEvents: (events) =>
      processEvents(events, { store: deps.store, now: deps.now, config: deps.engine }),
  });
  for (const result of summary.results) {
    const fields = { source: result.source, events: result.events.length, ...result.status };
    if (result.status.reachable) deps.logger.info('health source polled', fields);
    else deps.logger.warn('health source unreachable', fields);
  }
  const decisions: readonly Decision[] = summary.decisions;
  reportDecisions(decisions, deps);
  const enqueued = await enqueueNotifications(decisions, {
    store: deps.store,
    routing: deps.routing,
    now: deps.now,
    ...(deps.statusPageBaseUrl ? { statusPageBaseUrl: deps.statusPageBaseUrl } : {}),
  });
  return { ...summary, queued: enqueued.created.length };
}
