/**
 * The provider-health pollers a deployment runs, built from `config.pollers`: Resource Health,
 * Microsoft 365 service health (Graph), the public status feed and the AWS Health API, each only when
 * enabled. The Azure pollers' TokenCredential comes from the runtime (`credentialFor`, see
 * create-poller-credential.ts) and is asked for only when a poll runs; the AWS Health API uses the AWS
 * SDK's default credential chain (the Lambda function's role). Each poller's module (and its SDK) is
 * imported on first poll, so a deployment without pollers, or a function that never polls, loads none
 * of it.
 */
import type { PollersConfig } from '../config/crosswatch-config.ts';
import { HEALTH_SOURCES } from '../poll/poll-result.ts';
import type { Poller } from '../poll/run-poll-round.ts';
import { type CredentialFor, createPollerCredentialFactory } from './create-poller-credential.ts';

export interface PollEndpoints {
  /** ARM endpoint override (sovereign clouds, tests). */
  readonly arm?: string;
  /** Graph base URL override (national clouds, tests). */
  readonly graph?: string;
  readonly statusFeed?: string;
  /** AWS Health API endpoint override (tests). */
  readonly awsHealth?: string;
  /** Static AWS credentials for the AWS Health API (tests); default: the SDK's default chain. */
  readonly awsCredentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Extra trust anchors for the endpoints (tests). */
  readonly ca?: string;
  readonly fetch?: typeof fetch;
}

export interface BuildPollersOptions {
  readonly pollers: PollersConfig;
  /** The credential for a poller (default: the platform identity, or the configured service principal). */
  readonly credentialFor?: CredentialFor;
  readonly endpoints?: PollEndpoints;
  /** Events updated within this window are polled (default: 7 days). */
  readonly lookbackMs?: number;
}

export type BuildPollers = (options: BuildPollersOptions, now: () => Date) => Poller[];

export const buildPollers: BuildPollers = (options, now) => {
  const { pollers, endpoints = {} } = options;
  const credentialFor = options.credentialFor ?? createPollerCredentialFactory({ platformIdentity: true });
  const lookbackMs = options.lookbackMs ?? 7 * 24 * 60 * 60_000;
  const list: Poller[] = [];
  const rh = pollers.azureResourceHealth;
  if (rh?.enabled) {
    list.push({
      source: HEALTH_SOURCES.azureResourceHealth,
      poll: async () => {
        const { pollResourceHealth } = await import('../poll/resource-health.ts');
        return pollResourceHealth({
          subscriptionIds: rh.subscriptionIds,
          credential: await credentialFor(rh.credentials),
          queryStartTime: new Date(now().getTime() - lookbackMs).toISOString().slice(0, 10),
          now,
          ...(endpoints.arm ? { endpoint: endpoints.arm } : {}),
          ...(endpoints.ca ? { ca: endpoints.ca } : {}),
        });
      },
    });
  }
  const m365 = pollers.m365;
  if (m365?.enabled) {
    list.push({
      source: HEALTH_SOURCES.m365Graph,
      poll: async () => {
        const { pollGraphServiceHealth } = await import('../poll/graph-service-health.ts');
        return pollGraphServiceHealth({
          credential: await credentialFor(m365.credentials),
          modifiedSince: new Date(now().getTime() - lookbackMs),
          now,
          ...(endpoints.graph ? { baseUrl: endpoints.graph } : {}),
          ...(endpoints.fetch ? { fetch: endpoints.fetch } : {}),
        });
      },
    });
  }
  if (pollers.azureStatusFeed?.enabled) {
    list.push({
      source: HEALTH_SOURCES.azureStatusFeed,
      poll: async () => {
        const { pollStatusFeed } = await import('../poll/status-feed.ts');
        return pollStatusFeed({
          now,
          ...(endpoints.statusFeed ? { url: endpoints.statusFeed } : {}),
          ...(endpoints.ca ? { ca: endpoints.ca } : {}),
        });
      },
    });
  }
  const awsHealth = pollers.awsHealth;
  if (awsHealth?.enabled) {
    list.push({
      source: HEALTH_SOURCES.awsHealthApi,
      poll: async () => {
        const { pollAwsHealthApi } = await import('../poll/aws-health-api.ts');
        return pollAwsHealthApi({
          organizational: awsHealth.organizational,
          region: awsHealth.region,
          updatedSince: new Date(now().getTime() - lookbackMs),
          now,
          ...(endpoints.awsHealth ? { endpoint: endpoints.awsHealth } : {}),
          ...(endpoints.awsCredentials ? { credentials: endpoints.awsCredentials } : {}),
        });
      },
    });
  }
  return list;
};
