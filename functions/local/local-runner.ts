/**
 * The local runner (`crosswatch serve`, what `npm start` runs): an adapter like the cloud functions.
 * The core is composed by the one composition root (shared/runtime/open-runtime.ts) — store, SQLite
 * inbox, evidence, sinks, outbox worker, probe targets, pollers, status document — and this file
 * only adds what a long-running process needs:
 * - an HTTP server for the routes (local-routes.ts): every accepted input is durable in the
 *   group-commit SQLite inbox before the 202;
 * - a background loop (background-loop.ts) that takes accepted inputs through the pipeline and runs
 *   the outbox worker, yielding to a webhook flood;
 * - the schedules (local-schedules.ts): probes, pollers, engine timers, heartbeat and watchdog, retention;
 * - a graceful shutdown: stop accepting, finish in-flight requests, rounds and deliveries, process
 *   every accepted input, then close the stores.
 * One runner per data directory (data-dir-lock.ts): the lock is taken before anything is opened and
 * released last. A start that fails closes everything it opened, newest first, and lets go of the
 * lock, so the process exits instead of running headless. The HTTP server bounds slow clients and
 * connections (local-http-server.ts).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { CrosswatchConfig } from '../../shared/config/crosswatch-config.ts';
import { observeSink } from '../../shared/notify/observe-sink.ts';
import { startOutboxDispatcher } from '../../shared/notify/outbox-dispatcher.ts';
import type { Sink } from '../../shared/notify/sink.ts';
import type { Logger } from '../../shared/observability/logger.ts';
import type { InMemoryMetrics } from '../../shared/observability/metrics.ts';
import { countDeliveries } from '../../shared/pipeline/deliver-notifications.ts';
import { type ResolvedTargets, resolveProbeTargets } from '../../shared/pipeline/resolve-probe-targets.ts';
import { buildPollers } from '../../shared/runtime/build-pollers.ts';
import { createNotifySinks } from '../../shared/runtime/create-notify-sinks.ts';
import { INBOX_FILE, openLocalInbox } from '../../shared/runtime/open-local-inbox.ts';
import { openRuntime } from '../../shared/runtime/open-runtime.ts';
import { securePrivateDirectory } from '../../shared/util/private-files.ts';
import type { WebhookConfig } from '../../shared/webhook/webhook-config.ts';
import { type BackgroundLoop, startBackgroundLoop } from './background-loop.ts';
import { acquireDataDirLock, type DataDirLock } from './data-dir-lock.ts';
import { createLocalHttpServer, type HttpLimits } from './local-http-server.ts';
import { createLocalRequestListener } from './local-routes.ts';
import { startLocalSchedules } from './local-schedules.ts';
import { ensureLocalToken, type LocalToken } from './local-token.ts';

/** At shutdown the outbox gets this long for what is due; a hanging sink cannot hold the exit longer. */
const SHUTDOWN_OUTBOX_BUDGET_MS = 5000;
/** At shutdown a request still arriving gets this long to finish before its connection is closed. */
const SHUTDOWN_REQUEST_GRACE_MS = 2000;

export interface LocalRunnerOptions {
  readonly config: CrosswatchConfig;
  readonly logger: Logger;
  readonly metrics: InMemoryMetrics;
  readonly now?: () => Date;
  /** Where the console sink writes (stdout by default). */
  readonly stdout?: NodeJS.WritableStream;
  readonly version: string;
}

export interface LocalRunnerInfo {
  readonly url: string;
  readonly port: number;
  /** Set when the runner generated (or reused) its own token because none was configured. */
  readonly localToken: LocalToken | null;
  readonly targets: ResolvedTargets | null;
  readonly sinks: readonly Sink[];
  readonly inboxPath: string;
  readonly authModes: readonly string[];
  /** `<data dir>/runner.lock`: this runner holds the data directory. */
  readonly lockPath: string;
  /** The HTTP server's limits, as set on it. */
  readonly http: HttpLimits;
}

export interface LocalRunner {
  readonly info: LocalRunnerInfo;
  /** Graceful: stop accepting, finish in-flight work, process every accepted input, close. */
  close(): Promise<void>;
}

function describeAuthModes(webhook: WebhookConfig): string[] {
  const modes: string[] = [];
  if (webhook.tokens.length > 0) modes.push(`token (${webhook.tokens.length})`);
  if (webhook.entra) modes.push(`entra (tenant ${webhook.entra.tenantId})`);
  if (webhook.standardWebhookSecrets.length > 0) modes.push('standard-webhooks');
  return modes;
}

/** The configured webhook auth, or a generated token kept in the data directory when there is none. */
async function resolveWebhookAuth(
  config: CrosswatchConfig,
): Promise<{ webhook: WebhookConfig; localToken: LocalToken | null }> {
  const { webhook } = config;
  if (webhook.tokens.length > 0 || webhook.entra !== null || webhook.standardWebhookSecrets.length > 0)
    return { webhook, localToken: null };
  const localToken = await ensureLocalToken(config.dataDir);
  return { webhook: { ...webhook, tokens: [localToken.token] }, localToken };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** The data directory, 0700 (tightened when it let others in), and this runner's lock on it. */
async function takeDataDirectory(dataDir: string, logger: Logger, now: () => Date): Promise<DataDirLock> {
  const secured = await securePrivateDirectory(dataDir);
  if (secured.loosenedMode !== null)
    logger.warn('data directory was readable by others: tightened to 0700', {
      dataDir,
      previousMode: secured.loosenedMode.toString(8).padStart(4, '0'),
    });
  const lock = await acquireDataDirLock(dataDir, { now });
  if (lock.previous)
    logger.warn('took over the data directory from a runner that did not shut down', {
      dataDir,
      previousPid: lock.previous.pid,
      previousStartedAt: lock.previous.startedAt,
    });
  return lock;
}

/**
 * Starts the runner, or throws after closing whatever it had opened (newest first) and releasing
 * the data directory: a runner that cannot start leaves nothing running.
 */
export async function startLocalRunner(options: LocalRunnerOptions): Promise<LocalRunner> {
  const now = options.now ?? (() => new Date());
  const lock = await takeDataDirectory(options.config.dataDir, options.logger, now);
  const opened: (() => Promise<void>)[] = [() => lock.release()];
  try {
    return await openLocalRunner(options, now, lock, opened);
  } catch (error) {
    for (const close of opened.reverse()) {
      await close().catch((cause: unknown) =>
        options.logger.warn('closing after a failed start failed', { error: String(cause) }),
      );
    }
    throw error;
  }
}

async function openLocalRunner(
  options: LocalRunnerOptions,
  now: () => Date,
  lock: DataDirLock,
  opened: (() => Promise<void>)[],
): Promise<LocalRunner> {
  const { config, logger, metrics } = options;
  const { webhook, localToken } = await resolveWebhookAuth(config);
  const runtime = openRuntime(config, {
    now,
    openInbox: openLocalInbox(config),
    createSinks: createNotifySinks,
    ...(options.stdout ? { sinkDeps: { stdout: options.stdout } } : {}),
    buildPollers,
    resolveProbeTargets,
    // The sinks' own attempt logging is replaced by observeSink's line, which names the incident.
    wrapSink: (sink) => observeSink(sink, { logger, metrics, now }),
  });
  opened.push(() => runtime.close());
  const [inbox, pipeline, outbox] = await Promise.all([
    runtime.inbox(),
    runtime.pipeline(logger, metrics),
    runtime.outbox(logger),
  ]);
  // Nothing is processed or delivered before the runner listens: a runner that cannot start must
  // not work from a data directory another runner is serving. Inputs accepted in the meantime are
  // durable and taken by the loop's first run.
  let background: BackgroundLoop | undefined;
  const { server, limits } = createLocalHttpServer(
    config.server,
    createLocalRequestListener({
      runtime,
      inbox,
      webhook,
      logger,
      metrics,
      version: options.version,
      onAccepted: () => background?.accepted(),
    }),
    { logger, metrics, now },
  );
  await listen(server, config.server.host, config.server.port);
  opened.push(async () => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  });
  // One loop per sink: a hanging, paced or failing sink holds back no other. The sinks are observed
  // (one line and a metric per attempt): the passes count only retries and dead letters.
  const dispatcher = startOutboxDispatcher({
    ...outbox,
    onPass: (summary) => countDeliveries({ ...summary, sinks: [summary] }, metrics, { delivered: false }),
  });
  const loop = startBackgroundLoop({ inbox, pipeline, outbox: dispatcher, logger });
  background = loop;
  opened.push(() => loop.stop(SHUTDOWN_OUTBOX_BUDGET_MS));
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;

  // A round or timer that queued notifications wakes the sinks' loops (nothing for the inbox to do).
  const schedules = await startLocalSchedules({ runtime, pipeline, logger, kick: () => dispatcher.nudge() });
  // Inputs accepted before a previous shutdown or crash are processed now.
  void loop.kick();

  let closing: Promise<void> | undefined;
  return {
    info: {
      url,
      port: address.port,
      localToken,
      targets: schedules.targets,
      sinks: outbox.sinks,
      inboxPath: join(config.dataDir, INBOX_FILE),
      authModes: describeAuthModes(webhook),
      lockPath: lock.path,
      http: limits,
    },
    close() {
      closing ??= (async () => {
        // 1. Stop accepting; let in-flight requests finish (their 202 waits for the inbox commit).
        //    A client still sending after SHUTDOWN_REQUEST_GRACE_MS is cut off: nothing of its
        //    request was accepted, and its sender retries.
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const cutSlowClients = setTimeout(() => server.closeAllConnections(), SHUTDOWN_REQUEST_GRACE_MS);
        await closed;
        clearTimeout(cutSlowClients);
        // 2. Finish in-flight rounds and timers; no new ones start.
        await Promise.all(schedules.loops.map((loop) => loop.stop()));
        // 3. Process every accepted input; one last outbox pass for what is due, no waiting for
        //    retries, attempts still in flight aborted after the budget (they stay pending).
        await loop.stop(SHUTDOWN_OUTBOX_BUDGET_MS);
        await runtime.close();
        // 4. Only now may another runner take the data directory.
        await lock.release();
        await metrics.flush();
      })();
      return closing;
    },
  };
}
