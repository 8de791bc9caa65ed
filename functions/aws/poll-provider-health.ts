/**
 * `pollProviderHealth` (EventBridge Scheduler): Azure Resource Health and Microsoft 365 service
 * health polled from AWS — Azure's own alert path is not needed — with a service principal whose
 * client secret is read from Secrets Manager or SSM (CROSSWATCH_AZURE_CLIENT_SECRET_REF). The AWS secret client and @azure/identity load
 * only in this handler, and only when it polls. With CROSSWATCH_AWS_HEALTH_API=account|organization
 * (or `pollers.awsHealth`) it also polls the AWS Health API with the function's role, for accounts
 * without an `aws.health` EventBridge rule. Unreachable sources are reported to the engine, which
 * escalates `health-source-unreachable`.
 */
import type { Context } from 'aws-lambda';
import { pollProviderHealth } from '../../shared/pipeline/poll-provider-health.ts';
import { buildPollers } from '../../shared/runtime/build-pollers.ts';
import {
  type CredentialFor,
  createPollerCredentialFactory,
} from '../../shared/runtime/create-poller-credential.ts';
import {
  type AwsClientOverrides,
  LAMBDA_SETTINGS,
  parseSecretRef,
  registerHandlerDefaults,
  runLambda,
  secretOptions,
} from './lambda-context.ts';
import type { ScheduleEvent } from './scheduled-event.ts';

/**
 * The pollers' credential on AWS, where there is no Azure platform identity: a service principal,
 * its secret from the configuration or from CROSSWATCH_AZURE_CLIENT_SECRET_REF.
 */
export function createLambdaPollerCredential(
  env: Readonly<Record<string, string | undefined>>,
  aws: AwsClientOverrides | undefined,
): CredentialFor {
  return createPollerCredentialFactory({
    platformIdentity: false,
    readClientSecret: async () => {
      const reference = env[LAMBDA_SETTINGS.azureClientSecretRef];
      if (!reference) throw new TypeError(`${LAMBDA_SETTINGS.azureClientSecretRef} is not set`);
      const { readSecret } = await import('../../shared/poll/read-secret.ts');
      return readSecret(parseSecretRef(LAMBDA_SETTINGS.azureClientSecretRef, reference), secretOptions(aws));
    },
  });
}

registerHandlerDefaults({ buildPollers, pollerCredential: createLambdaPollerCredential });

export async function handler(
  _event: ScheduleEvent,
  context: Context,
): Promise<{ sources: Record<string, string>; queued: number }> {
  return runLambda(context, async ({ runtime, logger, pipeline }) => {
    const outcome = await pollProviderHealth(await runtime.pollers(), await pipeline());
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
