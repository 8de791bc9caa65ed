/**
 * `pollProviderHealth` (EventBridge Scheduler): Azure Resource Health and Microsoft 365 service
 * health polled from AWS — Azure's own alert path is not needed — with a service principal whose
 * client secret is read from Secrets Manager or SSM (CROSSWATCH_AZURE_CLIENT_SECRET_REF). The AWS
 * secret client and @azure/identity load only in this handler, and only when it polls. Unreachable
 * sources are reported to the engine, which escalates `health-source-unreachable`.
 */
import type { TokenCredential } from '@azure/identity';
import type { Context } from 'aws-lambda';
import type { PollerCredentials } from '../../shared/config/crosswatch-config.ts';
import { pollProviderHealth } from '../../shared/pipeline/poll-provider-health.ts';
import {
  LAMBDA_SETTINGS,
  type LambdaAppContext,
  parseSecretRef,
  runLambda,
  secretOptions,
} from './lambda-context.ts';
import type { ScheduleEvent } from './scheduled-event.ts';

/** The pollers' credential on AWS: the configured secret, else the one CROSSWATCH_AZURE_CLIENT_SECRET_REF names. */
export async function createPollerCredential(
  credentials: PollerCredentials | null,
  app: Pick<LambdaAppContext, 'env' | 'options'>,
): Promise<TokenCredential> {
  if (credentials === null)
    throw new TypeError('a poller needs credentials on AWS (there is no Azure platform identity)');
  const { createAzureCredential } = await import('../../shared/poll/azure-credential.ts');
  if (credentials.clientSecret) {
    const identity = await import('@azure/identity');
    return new identity.ClientSecretCredential(
      credentials.tenantId,
      credentials.clientId,
      credentials.clientSecret,
    );
  }
  const reference = app.env[LAMBDA_SETTINGS.azureClientSecretRef];
  if (!reference) throw new TypeError(`${LAMBDA_SETTINGS.azureClientSecretRef} is not set`);
  return createAzureCredential(
    {
      kind: 'client-secret',
      tenantId: credentials.tenantId,
      clientId: credentials.clientId,
      secret: parseSecretRef(LAMBDA_SETTINGS.azureClientSecretRef, reference),
    },
    secretOptions(app.options.aws),
  );
}

export async function handler(
  _event: ScheduleEvent,
  context: Context,
): Promise<{ sources: Record<string, string>; queued: number }> {
  return runLambda(context, async ({ app, logger, pipeline }) => {
    const outcome = await pollProviderHealth(
      {
        pollers: app.runtime.config.pollers,
        credentialFor:
          app.options.credentialFor ?? ((credentials) => createPollerCredential(credentials, app)),
        ...(app.options.pollEndpoints ? { endpoints: app.options.pollEndpoints } : {}),
      },
      await pipeline(),
    );
    const sources = Object.fromEntries(
      outcome.results.map((result) => [
        result.source,
        result.status.reachable ? 'reachable' : `unreachable: ${result.status.reason}`,
      ]),
    );
    logger.info('provider health polled', {
      sources,
      decisions: outcome.decisions.length,
      queued: outcome.queued,
    });
    return { sources, queued: outcome.queued };
  });
}
