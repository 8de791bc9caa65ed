/**
 * The provider-health pollers the local runner runs: only those configured in `pollers` (and
 * enabled). Credentials: a service principal with its client secret from the config (resolved from
 * the environment), or, without a secret, the DefaultAzureCredential chain (Azure CLI login,
 * environment, managed identity). @azure/identity and the ARM SDK load only when a poller exists.
 */
import type { TokenCredential } from '@azure/identity';
import type { PollerCredentials, PollersConfig } from '../../shared/config/crosswatch-config.ts';
import type { Logger } from '../../shared/observability/logger.ts';
import type { Poller } from '../../shared/poll/run-poll-round.ts';

async function createCredential(credentials: PollerCredentials | null): Promise<TokenCredential> {
  if (credentials?.clientSecret) {
    const identity = await import('@azure/identity');
    return new identity.ClientSecretCredential(
      credentials.tenantId,
      credentials.clientId,
      credentials.clientSecret,
    );
  }
  const { createAzureCredential } = await import('../../shared/poll/azure-credential.ts');
  return createAzureCredential({ kind: 'default' });
}

export async function createConfiguredPollers(config: PollersConfig, logger: Logger): Promise<Poller[]> {
  const pollers: Poller[] = [];
  const resourceHealth = config.azureResourceHealth;
  if (resourceHealth?.enabled) {
    const credential = await createCredential(resourceHealth.credentials);
    const { pollResourceHealth } = await import('../../shared/poll/resource-health.ts');
    pollers.push({
      source: 'azure-resource-health',
      poll: () => pollResourceHealth({ subscriptionIds: resourceHealth.subscriptionIds, credential }),
    });
  }
  if (config.m365?.enabled) {
    const credential = await createCredential(config.m365.credentials);
    const { pollGraphServiceHealth } = await import('../../shared/poll/graph-service-health.ts');
    pollers.push({ source: 'm365-graph', poll: () => pollGraphServiceHealth({ credential }) });
  }
  if (config.azureStatusFeed?.enabled) {
    const { pollStatusFeed } = await import('../../shared/poll/status-feed.ts');
    pollers.push({ source: 'azure-status-feed', poll: () => pollStatusFeed() });
  }
  if (pollers.length > 0)
    logger.info('pollers configured', { sources: pollers.map((p) => p.source).join(', ') });
  return pollers;
}
