/**
 * The Lambda handlers' composition, built once per execution environment on first invocation
 * (never at import, so the INIT phase loads only the handler's own code): configuration from the
 * environment with secrets read from Secrets Manager or SSM first, the runtime (store, evidence,
 * pipeline, sinks), the SQS inbox, and per-invocation logging (JSON lines with the request id) and
 * CloudWatch EMF metrics.
 *
 * Secrets: for any configuration variable NAME, `NAME_SECRET_REF` names where its value lives —
 * `secretsmanager:<secret id>[#<json key>]` or `ssm:<parameter name>` — and is read (and cached
 * for 5 minutes) before the configuration is loaded. Lambda-only variables:
 *   CROSSWATCH_INBOX_QUEUE_URL          the SQS inbox (webhook → processInbox)
 *   CROSSWATCH_DEPLOYMENT_ID            this deployment's heartbeat id (default: the vantage id)
 *   CROSSWATCH_AZURE_CLIENT_SECRET_REF  the pollers' service principal secret (same reference syntax)
 *   CROSSWATCH_AWS_HEALTH_API           the AWS Health API poller (pollers.awsHealth): `account` (this
 *                                       account), `organization` (the organizational view) or `off`
 */

import type { Context } from 'aws-lambda';
import { ConfigError } from '../../shared/config/crosswatch-config.ts';
import { type ConfigOverride, loadConfig } from '../../shared/config/load-config.ts';
import type { Inbox } from '../../shared/inbox/inbox.ts';
import { createEmfMetrics } from '../../shared/observability/emf-metrics.ts';
import { createLogger, type Logger } from '../../shared/observability/logger.ts';
import type { Metrics } from '../../shared/observability/metrics.ts';
import type { resolveProbeTargets } from '../../shared/pipeline/resolve-probe-targets.ts';
import type { ReadSecretOptions, SecretRef } from '../../shared/poll/read-secret.ts';
import type { BuildPollers, PollEndpoints } from '../../shared/runtime/build-pollers.ts';
import type { CredentialFor } from '../../shared/runtime/create-poller-credential.ts';
import {
  type CreateSinks,
  type OpenInbox,
  openRuntime,
  type Runtime,
} from '../../shared/runtime/open-runtime.ts';
import { type Invocation, runObservedInvocation } from '../../shared/runtime/run-invocation.ts';
import { keepOnSuccess } from '../../shared/util/keep-on-success.ts';
import type { EntraKeyResolver } from '../../shared/webhook/entra-webhook-token.ts';

export const LAMBDA_SETTINGS = {
  inboxQueueUrl: 'CROSSWATCH_INBOX_QUEUE_URL',
  deploymentId: 'CROSSWATCH_DEPLOYMENT_ID',
  azureClientSecretRef: 'CROSSWATCH_AZURE_CLIENT_SECRET_REF',
  awsHealthApi: 'CROSSWATCH_AWS_HEALTH_API',
} as const;
const SECRET_REF_SUFFIX = '_SECRET_REF';

/** AWS client settings for tests (a loopback endpoint and static credentials); the SDK chain otherwise. */
export interface AwsClientOverrides {
  readonly endpoint?: string;
  readonly region?: string;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

export interface LambdaContextOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
  readonly now?: () => Date;
  readonly createSinks?: CreateSinks;
  readonly fetch?: typeof fetch;
  /** SQS, Secrets Manager and SSM clients (tests: moto). */
  readonly aws?: AwsClientOverrides;
  readonly pollEndpoints?: PollEndpoints;
  readonly credentialFor?: CredentialFor;
  readonly fetchJwks?: EntraKeyResolver;
  /** Where log and EMF lines go (default stdout, which Lambda ships to CloudWatch Logs). */
  readonly write?: (line: string) => void;
}

export interface LambdaAppContext {
  readonly runtime: Runtime;
  readonly options: LambdaContextOptions;
  observe(context: Pick<Context, 'awsRequestId' | 'functionName'>): {
    readonly logger: Logger;
    readonly metrics: Metrics;
  };
}

/** `secretsmanager:<id>[#key]` or `ssm:<name>`; throws naming the variable. */
export function parseSecretRef(variable: string, value: string): SecretRef {
  if (value.startsWith('ssm:') && value.length > 4) return { source: 'ssm', name: value.slice(4) };
  if (value.startsWith('secretsmanager:') && value.length > 15) {
    const rest = value.slice(15);
    const hash = rest.indexOf('#');
    return hash < 0
      ? { source: 'secrets-manager', secretId: rest }
      : { source: 'secrets-manager', secretId: rest.slice(0, hash), jsonKey: rest.slice(hash + 1) };
  }
  throw new TypeError(`${variable}: expected secretsmanager:<id>[#key] or ssm:<name>`);
}

export function secretOptions(aws: AwsClientOverrides | undefined): ReadSecretOptions {
  return {
    ...(aws?.endpoint ? { endpoint: aws.endpoint } : {}),
    ...(aws?.region ? { region: aws.region } : {}),
    ...(aws?.credentials ? { credentials: aws.credentials } : {}),
  };
}

/** The environment with every `NAME_SECRET_REF` resolved into NAME (the SDK clients load lazily). */
export async function resolveSecretEnv(
  env: Readonly<Record<string, string | undefined>>,
  aws?: AwsClientOverrides,
): Promise<Record<string, string | undefined>> {
  const refs = Object.entries(env).filter(
    ([name, value]) =>
      name.startsWith('CROSSWATCH_') &&
      name.endsWith(SECRET_REF_SUFFIX) &&
      name !== LAMBDA_SETTINGS.azureClientSecretRef &&
      value,
  );
  if (refs.length === 0) return { ...env };
  const { readSecret } = await import('../../shared/poll/read-secret.ts');
  const resolved: Record<string, string | undefined> = { ...env };
  await Promise.all(
    refs.map(async ([name, value]) => {
      const target = name.slice(0, -SECRET_REF_SUFFIX.length);
      resolved[target] = await readSecret(parseSecretRef(name, value ?? ''), secretOptions(aws));
    }),
  );
  return resolved;
}

/**
 * CROSSWATCH_AWS_HEALTH_API as `pollers.awsHealth` settings over the rest of the configuration:
 * `account` or `organization` turns the AWS Health API poller on with that view, `off` turns it off.
 */
export function readAwsHealthApiSetting(env: Readonly<Record<string, string | undefined>>): ConfigOverride[] {
  const source = LAMBDA_SETTINGS.awsHealthApi;
  const value = env[source]?.trim().toLowerCase();
  if (!value) return [];
  if (value === 'off') return [{ path: 'pollers.awsHealth.enabled', value: false, source }];
  if (value === 'account' || value === 'organization') {
    return [
      { path: 'pollers.awsHealth.enabled', value: true, source },
      { path: 'pollers.awsHealth.view', value, source },
    ];
  }
  throw new ConfigError(source, '', 'must be account, organization or off');
}

let configured: LambdaContextOptions = {};
/** The execution environment's context; a failed build is retried on the next invocation. */
const environment = keepOnSuccess(() => buildLambdaContext(configured));

/**
 * What a handler module contributes at import: the parts only it needs — the sink factory
 * (handlers that send), the pollers' builder and their credential rule (the poll handler), the
 * probe targets' resolver (the probe handler).
 */
export interface HandlerDefaults {
  readonly createSinks?: CreateSinks;
  readonly buildPollers?: BuildPollers;
  readonly resolveProbeTargets?: typeof resolveProbeTargets;
  readonly pollerCredential?: (
    env: Readonly<Record<string, string | undefined>>,
    aws: AwsClientOverrides | undefined,
  ) => CredentialFor;
}
let defaults: HandlerDefaults = {};

/**
 * Called once at the top of a handler module that sends notifications or polls: what it registers
 * is only in that handler's bundle (the webhook carries no sink, poller or probe code).
 * Options given to configureLambdaContext win.
 */
export function registerHandlerDefaults(handlerDefaults: HandlerDefaults): void {
  defaults = { ...defaults, ...handlerDefaults };
}

/** Replaces the options (tests) and drops the environment's context. */
export async function configureLambdaContext(options: LambdaContextOptions): Promise<void> {
  configured = options;
  await environment
    .forget()
    ?.then((context) => context.runtime.close())
    .catch(() => undefined);
}

/** The SQS inbox (CROSSWATCH_INBOX_QUEUE_URL); the error names the setting when it is missing. */
function openSqsInbox(
  env: Readonly<Record<string, string | undefined>>,
  aws: AwsClientOverrides | undefined,
): OpenInbox<Inbox> {
  return async (overflow) => {
    const queueUrl = env[LAMBDA_SETTINGS.inboxQueueUrl];
    if (!queueUrl) throw new TypeError(`${LAMBDA_SETTINGS.inboxQueueUrl} is not set`);
    const { createSqsInbox } = await import('../../shared/inbox/sqs-inbox.ts');
    return createSqsInbox({ queueUrl, client: secretOptions(aws), ...(overflow ? { overflow } : {}) });
  };
}

async function buildLambdaContext(options: LambdaContextOptions): Promise<LambdaAppContext> {
  const env = await resolveSecretEnv(options.env ?? process.env, options.aws);
  const config = await loadConfig({
    env,
    cwd: options.cwd ?? process.cwd(),
    overrides: readAwsHealthApiSetting(env),
  });
  const createSinks = options.createSinks ?? defaults.createSinks;
  const credentialFor = options.credentialFor ?? defaults.pollerCredential?.(env, options.aws);
  const deploymentId = env[LAMBDA_SETTINGS.deploymentId] || config.vantage.id;
  const runtime = openRuntime(config, {
    openInbox: openSqsInbox(env, options.aws),
    deploymentId,
    ...(createSinks ? { createSinks } : {}),
    ...(defaults.buildPollers ? { buildPollers: defaults.buildPollers } : {}),
    ...(defaults.resolveProbeTargets ? { resolveProbeTargets: defaults.resolveProbeTargets } : {}),
    ...(credentialFor ? { credentialFor } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.pollEndpoints ? { pollEndpoints: options.pollEndpoints } : {}),
    ...(options.fetchJwks ? { fetchJwks: options.fetchJwks } : {}),
  });
  const write = options.write ?? ((line: string) => process.stdout.write(line));
  return {
    runtime,
    options,
    observe(context) {
      const logger = createLogger({
        format: 'json',
        level: config.log.level,
        secrets: config.secrets,
        write,
        ...(options.now ? { now: options.now } : {}),
        fields: { requestId: context.awsRequestId, functionName: context.functionName },
      });
      const metrics = createEmfMetrics({
        write,
        secrets: config.secrets,
        defaultDimensions: { deployment: deploymentId },
        ...(options.now ? { now: () => (options.now?.() ?? new Date()).getTime() } : {}),
      });
      return { logger, metrics };
    },
  };
}

export function getLambdaContext(): Promise<LambdaAppContext> {
  return environment.get();
}

export interface LambdaInvocation extends Invocation {
  readonly app: LambdaAppContext;
}

/** Runs one invocation with its logger and EMF metrics; logs and rethrows a failure; always flushes. */
export async function runLambda<T>(
  context: Pick<Context, 'awsRequestId' | 'functionName'>,
  work: (invocation: LambdaInvocation) => Promise<T>,
): Promise<T> {
  const app = await getLambdaContext();
  return runObservedInvocation(app.runtime, app.observe(context), context.functionName, (invocation) =>
    work({ ...invocation, app }),
  );
}
