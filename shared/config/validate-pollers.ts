/** The `pollers` section: the schedule and each provider poller with its credentials. */
import type { CredentialsInput, PollersInput } from './config-document.ts';
import type { PollerCredentials, PollersConfig } from './crosswatch-config.ts';
import { readSchedule } from './setting-values.ts';

function readCredentials(value: CredentialsInput | undefined): PollerCredentials | null {
  return value
    ? { tenantId: value.tenantId, clientId: value.clientId, clientSecret: value.clientSecret ?? null }
    : null;
}

export function validatePollers(pollers: PollersInput): PollersConfig {
  return {
    schedule: readSchedule(pollers.schedule, 'pollers.schedule'),
    azureResourceHealth: pollers.azureResourceHealth
      ? {
          enabled: pollers.azureResourceHealth.enabled,
          subscriptionIds: pollers.azureResourceHealth.subscriptionIds,
          credentials: readCredentials(pollers.azureResourceHealth.credentials),
        }
      : null,
    m365: pollers.m365
      ? {
          enabled: pollers.m365.enabled,
          credentials: readCredentials(pollers.m365.credentials) as PollerCredentials,
        }
      : null,
    azureStatusFeed: pollers.azureStatusFeed ?? null,
    awsHealth: pollers.awsHealth
      ? {
          enabled: pollers.awsHealth.enabled,
          organizational: pollers.awsHealth.view === 'organization',
          region: pollers.awsHealth.region,
        }
      : null,
  };
}
