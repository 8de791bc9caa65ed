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
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { CrosswatchConfig } from '../../shared/config/crosswatch-config.ts';
import { observeSink } from '../../shared/notify/observe-sink.ts';
import { createOutboxWorker } from '../../shared/notify/outbox-worker.ts';
import type { Sink } from '../../shared/notify/sink.ts';
import type { Logger } from '../../shared/observability/logger.ts';
import type { InMemoryMetrics } from '../../shared/observability/metrics.ts';
import { type ResolvedTargets, resolveProbeTargets } from '../../shared/pipeline/resolve-probe-targets.ts';
import { buildPollers } from '../../shared/runtime/build-pollers.ts';
import { createNotifySinks } from '../../shared/runtime/create-notify-sinks.ts';
import { INBOX_FILE, openLocalInbox } from '../../shared/runtime/open-local-inbox.ts';
import { openRuntime } from '../../shared/runtime/open-runtime.ts';
import type { WebhookConfig } from '../../shared/webhook/webhook-config.ts';
import { type BackgroundLoop, startBackgroundLoop } from './background-loop.ts';
import { createLocalRequestListener } from './local-routes.ts';
import { startLocalSchedules } from './local-schedules.ts';
import { ensureLocalToken, type LocalToken } from './local-token.ts';

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

export async function startLocalRunner(options: LocalRunnerOptions): Promise<LocalRunner> {
  const { config, logger, metrics } = options;
  const { webhook, localToken } = await resolveWebhookAuth(config);
  const now = options.now ?? (() => new Date());
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
  const [inbox, pipeline, outbox] = await Promise.all([
    runtime.inbox(),
    runtime.pipeline(logger, metrics),
    runtime.outbox(logger),
  ]);
  // Nothing is processed or delivered before the runner listens: a runner that cannot start must
  // not work from a data directory another runner is serving. Inputs accepted in the meantime are
  // durable and taken by the loop's first run.
  let background: BackgroundLoop | undefined;
  const server = createServer(
    createLocalRequestListener({
      runtime,
      inbox,
      webhook,
      logger,
      metrics,
      version: options.version,
      onAccepted: () => background?.accepted(),
    }),
  );
  server.keepAliveTimeout = 5000;
  try {
    await listen(server, config.server.host, config.server.port);
  } catch (error) {
    // Nothing may keep running headless: the inbox's writer thread and the store close.
    await runtime.close();
    throw error;
  }
  const loop = startBackgroundLoop({ inbox, pipeline, worker: createOutboxWorker(outbox), logger, metrics });
  background = loop;
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;

  const kick = () => void loop.kick();
  const schedules = await startLocalSchedules({ runtime, pipeline, logger, kick });
  // Inputs accepted before a previous shutdown or crash are processed now.
  kick();

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
    },
    close() {
      closing ??= (async () => {
        // 1. Stop accepting; let in-flight requests finish (their 202 waits for the inbox commit).
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await closed;
        // 2. Finish in-flight rounds and timers; no new ones start.
        await Promise.all(schedules.loops.map((loop) => loop.stop()));
        // 3. Process every accepted input and deliver what is due (bounded by the outbox settings).
        await loop.stop(config.notify.outbox.attemptTimeoutMs);
        await runtime.close();
        await metrics.flush();
      })();
      return closing;
    },
  };
}
