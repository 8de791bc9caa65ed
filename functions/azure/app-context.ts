/**
 * The Azure Functions app's context, built once per instance on first use and shared by every
 * function: the configuration (app settings; secrets as Key Vault references resolved by the
 * platform) handed to the one composition root (shared/runtime/open-runtime.ts) with what is Azure's
 * own — the Storage Queue inbox, the deployment id and peers from app settings — plus per-invocation
 * logging. Nothing is opened at import time, so indexing the app costs only the registrations.
 *
 * `inboxReceiver()` reads the same queue beside the trigger (the `processInbox` function's batches),
 * with the same connection string and queue name as the inbox.
 *
 * Azure-only app settings (beside the CROSSWATCH_* configuration settings):
 *   CROSSWATCH_STORAGE        connection string of the queue account (also the queue trigger's `connection`)
 *   CROSSWATCH_INBOX_QUEUE    inbox queue name (default crosswatch-inbox; poison: <name>-poison)
 *   CROSSWATCH_DEPLOYMENT_ID  this deployment's heartbeat id (default: the vantage id)
 *   CROSSWATCH_*_SCHEDULE     NCRONTAB schedules of the timer functions (docs/deploy-azure.md)
 */
import type { InvocationContext } from '@azure/functions';
import { loadConfig } from '../../shared/config/load-config.ts';
import type { AzureQueueReceiver } from '../../shared/inbox/azure-queue-receiver.ts';
import type { Inbox, InboxEntry } from '../../shared/inbox/inbox.ts';
import { decodeInboxMessage, InvalidQueueMessageError } from '../../shared/inbox/queue-inbox-message.ts';
import type { Logger } from '../../shared/observability/logger.ts';
import type { Metrics } from '../../shared/observability/metrics.ts';
import type { PipelineDeps } from '../../shared/pipeline/pipeline-deps.ts';
import { resolveProbeTargets } from '../../shared/pipeline/resolve-probe-targets.ts';
import { buildPollers, type PollEndpoints } from '../../shared/runtime/build-pollers.ts';
import { createNotifySinks } from '../../shared/runtime/create-notify-sinks.ts';
import type { CredentialFor } from '../../shared/runtime/create-poller-credential.ts';
import {
  type CreateSinks,
  type OpenInbox,
  openRuntime,
  type Runtime,
} from '../../shared/runtime/open-runtime.ts';
import {
  runObservedInvocation,
  type Invocation as SharedInvocation,
} from '../../shared/runtime/run-invocation.ts';
import { keepOnSuccess } from '../../shared/util/keep-on-success.ts';
import type { EntraKeyResolver } from '../../shared/webhook/entra-webhook-token.ts';
import { createInvocationLogger, createInvocationMetrics } from './invocation-logging.ts';

export const AZURE_SETTINGS = {
  storage: 'CROSSWATCH_STORAGE',
  inboxQueue: 'CROSSWATCH_INBOX_QUEUE',
  deploymentId: 'CROSSWATCH_DEPLOYMENT_ID',
} as const;
export const DEFAULT_INBOX_QUEUE = 'crosswatch-inbox';

export interface AppContextOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
  readonly now?: () => Date;
  readonly createSinks?: CreateSinks;
  /** Outbound HTTP for the sinks, the watchdog's peer pulls and Graph (tests: loopback). */
  readonly fetch?: typeof fetch;
  readonly pollEndpoints?: PollEndpoints;
  /** The pollers' credential (default DefaultAzureCredential, or the configured service principal). */
  readonly credentialFor?: CredentialFor;
  /** Entra signing keys for secure webhooks (tests: a local JWKS). */
  readonly fetchJwks?: EntraKeyResolver;
  /** How long messages taken into a `processInbox` batch stay invisible (default 60 s; tests: 1–2 s). */
  readonly inboxBatchVisibilitySeconds?: number;
}

export interface AppContext {
  readonly runtime: Runtime;
  readonly options: AppContextOptions;
  /** The inbox queue read directly (opened on first use, then kept); null without CROSSWATCH_STORAGE. */
  inboxReceiver(): Promise<AzureQueueReceiver | null>;
  /** This invocation's logger and metrics (flush the metrics before returning). */
  observe(context: InvocationContext): { readonly logger: Logger; readonly metrics: Metrics };
}

let configured: AppContextOptions = {};
/** The instance's context; a failed build (bad configuration) is retried on the next invocation. */
const instance = keepOnSuccess(() => buildAppContext(configured));

/** Replaces the options (tests) and drops the instance's context so the next call rebuilds it. */
export async function configureAppContext(options: AppContextOptions): Promise<void> {
  configured = options;
  await instance
    .forget()
    ?.then((context) => context.runtime.close())
    .catch(() => undefined);
}

/** The inbox queue's name (CROSSWATCH_INBOX_QUEUE, default crosswatch-inbox). */
function readInboxQueueName(env: Readonly<Record<string, string | undefined>>): string {
  return env[AZURE_SETTINGS.inboxQueue] || DEFAULT_INBOX_QUEUE;
}

/** The Storage Queue inbox (CROSSWATCH_STORAGE, CROSSWATCH_INBOX_QUEUE); the error names a missing setting. */
function openQueueInbox(env: Readonly<Record<string, string | undefined>>): OpenInbox<Inbox> {
  return async (overflow) => {
    const connectionString = env[AZURE_SETTINGS.storage];
    if (!connectionString) throw new Error(`${AZURE_SETTINGS.storage} is not set`);
    const { createAzureQueueInbox } = await import('../../shared/inbox/azure-queue-inbox.ts');
    return createAzureQueueInbox({
      connectionString,
      queueName: readInboxQueueName(env),
      ...(overflow ? { overflow } : {}),
    });
  };
}

async function buildAppContext(options: AppContextOptions): Promise<AppContext> {
  const env = options.env ?? process.env;
  const config = await loadConfig({ env, cwd: options.cwd ?? process.cwd() });
  const runtime = openRuntime(config, {
    openInbox: openQueueInbox(env),
    createSinks: options.createSinks ?? createNotifySinks,
    buildPollers,
    resolveProbeTargets,
    ...(options.now ? { now: options.now } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(env[AZURE_SETTINGS.deploymentId] ? { deploymentId: env[AZURE_SETTINGS.deploymentId] } : {}),
    ...(options.credentialFor ? { credentialFor: options.credentialFor } : {}),
    ...(options.pollEndpoints ? { pollEndpoints: options.pollEndpoints } : {}),
    ...(options.fetchJwks ? { fetchJwks: options.fetchJwks } : {}),
  });
  const receiver = keepOnSuccess(async (): Promise<AzureQueueReceiver | null> => {
    const connectionString = env[AZURE_SETTINGS.storage];
    if (!connectionString) return null;
    const { createAzureQueueReceiver } = await import('../../shared/inbox/azure-queue-receiver.ts');
    return createAzureQueueReceiver({
      connectionString,
      queueName: readInboxQueueName(env),
      ...(options.inboxBatchVisibilitySeconds
        ? { visibilityTimeoutSeconds: options.inboxBatchVisibilitySeconds }
        : {}),
    });
  });
  return {
    runtime,
    options,
    inboxReceiver: receiver.get,
    observe(context) {
      const settings = {
        level: config.log.level,
        secrets: config.secrets,
        ...(options.now ? { now: options.now } : {}),
      };
      return {
        logger: createInvocationLogger(context, settings),
        metrics: createInvocationMetrics(context, settings),
      };
    },
  };
}

export function getAppContext(): Promise<AppContext> {
  return instance.get();
}

export interface Invocation extends SharedInvocation {
  readonly app: AppContext;
}

/**
 * Runs one non-HTTP invocation with its logger and metrics: a failure is logged (redacted) and
 * rethrown so the host records the invocation as failed (a queue message is then retried and, after
 * maxDequeueCount, moved to the poison queue); the metrics are always flushed.
 */
export async function runInvocation<T>(
  context: InvocationContext,
  work: (invocation: Invocation) => Promise<T>,
): Promise<T> {
  const app = await getAppContext();
  return runObservedInvocation(app.runtime, app.observe(context), context.functionName, (invocation) =>
    work({ ...invocation, app }),
  );
}

/** A timer's slot: the scheduled minute this run stands for (a late run keeps its slot's identity). */
export function toScheduledMinute(at: Date): Date {
  return new Date(Math.floor(at.getTime() / 60_000) * 60_000);
}

/**
 * The inbox entry a queue message carries, or null when it is not a crosswatch inbox message: that
 * one can never be processed, so it is kept in the evidence archive (kind `inbox:unreadable`),
 * counted as a dead letter and logged, never retried.
 */
export async function readQueueMessage(
  message: unknown,
  deps: Pick<PipelineDeps, 'evidence' | 'logger' | 'metrics'>,
  logMessage: string,
): Promise<InboxEntry | null> {
  try {
    return await decodeInboxMessage(message, deps.evidence ? { overflow: deps.evidence } : {});
  } catch (error) {
    if (!(error instanceof InvalidQueueMessageError)) throw error;
    deps.metrics.count('inbox.dead_letter', { source: 'unreadable' });
    let kept: string | null = null;
    if (deps.evidence) {
      const text = typeof message === 'string' ? message : JSON.stringify(message ?? null);
      const record = await deps.evidence.put(Buffer.from(text, 'utf8'), {
        contentType: 'application/octet-stream',
        kind: 'inbox:unreadable',
      });
      kept = record.contentHash;
    }
    deps.logger.error(logMessage, { reason: error.message, evidence: kept });
    return null;
  }
}
