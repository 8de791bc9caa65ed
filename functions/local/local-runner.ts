/**
 * The local runner (`crosswatch serve`, what `npm start` runs): the composition root that wires the
 * core for one process. It
 * - serves the webhook routes (POST /api/service-health, POST /api/webhook — the same routes and
 *   status codes as the Azure and AWS functions, through acceptWebhook), GET /api/status (open
 *   incidents, inbox and outbox state, metrics) and GET /healthz;
 * - makes every accepted input durable in the group-commit SQLite inbox before answering 202, then
 *   processes it (normalize → evidence → engine → outbox) in the background;
 * - runs the probe schedule from its vantage, the provider pollers when configured, the engine's
 *   timers and the outbox worker;
 * - shuts down gracefully: stops accepting, finishes in-flight requests, rounds and deliveries,
 *   processes every accepted input, then closes the stores.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { CrosswatchConfig } from '../../shared/config/crosswatch-config.ts';
import { parseSchedule } from '../../shared/config/schedule.ts';
import { listIncidents } from '../../shared/engine/process-event.ts';
import { getHeartbeat, recordHeartbeat } from '../../shared/engine/watchdog.ts';
import { createSqliteInbox, type SqliteInbox } from '../../shared/inbox/sqlite-inbox.ts';
import { createConfiguredSinks } from '../../shared/notify/configured-sinks.ts';
import { purgeFinishedDeliveries } from '../../shared/notify/dead-letters.ts';
import { observeSink } from '../../shared/notify/observe-sink.ts';
import { createOutboxWorker, type OutboxWorker } from '../../shared/notify/outbox-worker.ts';
import type { Sink } from '../../shared/notify/sink.ts';
import type { Logger } from '../../shared/observability/logger.ts';
import { type InMemoryMetrics, METRIC_NAMES } from '../../shared/observability/metrics.ts';
import type { PipelineDeps } from '../../shared/pipeline/pipeline-deps.ts';
import { drainInbox } from '../../shared/pipeline/process-inbox-entry.ts';
import { type ResolvedTargets, resolveProbeTargets } from '../../shared/pipeline/resolve-probe-targets.ts';
import { runEngineTimers } from '../../shared/pipeline/run-engine-timers.ts';
import { runScheduledProbeRound } from '../../shared/pipeline/run-probe-round.ts';
import { watchPeers } from '../../shared/pipeline/watch-peers.ts';
import { openEvidenceArchive } from '../../shared/runtime/open-evidence-archive.ts';
import { createStateStore } from '../../shared/store/create-state-store.ts';
import type { StateStore } from '../../shared/store/ports.ts';
import { acceptWebhook, findWebhookRoute } from '../../shared/webhook/accept-webhook.ts';
import type { WebhookConfig } from '../../shared/webhook/webhook-config.ts';
import { toWebhookRequest, writeJson, writeResponse } from './http-adapter.ts';
import { ensureLocalToken, type LocalToken } from './local-token.ts';
import { type ScheduleLoop, startScheduleLoop } from './schedule-loop.ts';
import { canReadStatus } from './status-access.ts';

export const INBOX_FILE = 'inbox.db';
/** How often the background loop looks for due retries and pending inputs without a nudge. */
const BACKGROUND_TICK_MS = 1000;
const ENGINE_TIMER_SCHEDULE = '60s';
/** Evidence past `evidence.retentionDays`, settled inbox entries and finished deliveries are purged. */
const RETENTION_SCHEDULE = '6h';
const DAY_MS = 24 * 60 * 60_000;
const INBOX_RETENTION_MS = 7 * DAY_MS;
/**
 * Acceptance comes first during a flood: while at least FLOOD_ACCEPTS webhooks were accepted within
 * FLOOD_WINDOW_MS (1,000/s and more), the background pipeline (evidence files, engine and outbox
 * writes, each with its own fsync) would compete with the inbox's commits for the disk and the CPU,
 * so it processes at most FLOOD_SLICE entries per FLOOD_MAX_DEFER_MS instead of running flat out.
 * Below that rate (every real action group) nothing waits. Nothing is skipped either: what was
 * accepted stays pending in the inbox and is processed as soon as the flood subsides, or at shutdown.
 */
const FLOOD_WINDOW_MS = 100;
const FLOOD_ACCEPTS = 100;
const FLOOD_MAX_DEFER_MS = 1000;
const FLOOD_SLICE = 25;
const FLOOD_POLL_MS = 50;
const DRAIN_SLICE = 100;

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

export async function startLocalRunner(options: LocalRunnerOptions): Promise<LocalRunner> {
  const { config, logger, metrics } = options;
  const now = options.now ?? (() => new Date());

  let webhook = config.webhook;
  let localToken: LocalToken | null = null;
  if (webhook.tokens.length === 0 && webhook.entra === null && webhook.standardWebhookSecrets.length === 0) {
    localToken = await ensureLocalToken(config.dataDir);
    webhook = { ...webhook, tokens: [localToken.token] };
  }

  const store: StateStore = await createStateStore(config.store);
  const evidence = await openEvidenceArchive(config.evidence, { now });
  const inboxPath = join(config.dataDir, INBOX_FILE);
  const inbox: SqliteInbox = createSqliteInbox({
    path: inboxPath,
    durability: config.store.kind === 'sqlite' && config.store.durability === 'normal' ? 'normal' : 'full',
  });
  // The sinks' own attempt logging is replaced by observeSink's line, which names the incident.
  const sinks: Sink[] = createConfiguredSinks(config.notify, {
    now,
    ...(options.stdout ? { stdout: options.stdout } : {}),
  }).map((sink) => observeSink(sink, { logger, metrics, now }));
  const pipeline: PipelineDeps = {
    store,
    evidence,
    engine: config.engine,
    routing: { routes: config.notify.routes, defaultRoute: config.notify.defaultRoute },
    now,
    logger,
    metrics,
  };
  const worker: OutboxWorker = createOutboxWorker({
    store,
    sinks,
    settings: config.notify.outbox,
    now,
    logger,
    ...(evidence ? { evidence } : {}),
  });

  // ─── background: inbox → pipeline → outbox ────────────────────────────────────────────────────
  let backgroundRun: Promise<void> | undefined;
  let again = false;
  let closingDown = false;
  const stopController = new AbortController();
  const flood = createFloodGauge();
  /** Resolves at once unless webhooks are flooding in; then when they stop, or after FLOOD_MAX_DEFER_MS. */
  const yieldToFlood = async (): Promise<boolean> => {
    const started = performance.now();
    let deferred = false;
    while (flood.isHot() && !closingDown && performance.now() - started < FLOOD_MAX_DEFER_MS) {
      deferred = true;
      await new Promise((resolve) => setTimeout(resolve, FLOOD_POLL_MS));
    }
    return deferred && flood.isHot() && !closingDown;
  };
  const runBackground = async () => {
    do {
      again = false;
      const underFlood = await yieldToFlood();
      const limit = underFlood ? FLOOD_SLICE : DRAIN_SLICE;
      const drained = await drainInbox(inbox, pipeline, { limit });
      if (drained.processed + drained.rejected > 0) {
        logger.info('inputs processed', { processed: drained.processed, rejected: drained.rejected });
      }
      // A full slice: more may be pending.
      if (drained.stoppedBy === null && drained.processed + drained.rejected >= limit) again = true;
      const sent = await worker.runOnce({ signal: stopController.signal });
      for (const sink of sent.sinks) {
        if (sink.retried > 0) metrics.count(METRIC_NAMES.notifyRetry, { sink: sink.sink }, sink.retried);
        if (sink.dead > 0) metrics.count(METRIC_NAMES.notifyDeadLetter, { sink: sink.sink }, sink.dead);
      }
    } while (again && !stopController.signal.aborted);
  };
  const kick = () => {
    if (backgroundRun) {
      again = true;
      return backgroundRun;
    }
    backgroundRun = runBackground()
      .catch((error: unknown) => {
        logger.error('background processing failed', {
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        });
      })
      .finally(() => {
        backgroundRun = undefined;
      });
    return backgroundRun;
  };
  const ticker = setInterval(() => void kick(), BACKGROUND_TICK_MS);
  ticker.unref();

  // ─── HTTP ──────────────────────────────────────────────────────────────────────────────────────
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname === '/healthz') {
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        writeJson(response, 405, { error: 'method not allowed' });
        return;
      }
      writeJson(response, 200, { status: 'ok', version: options.version });
      return;
    }
    if (url.pathname === '/api/status') {
      if (request.method !== 'GET') {
        writeJson(response, 405, { error: 'method not allowed' });
        return;
      }
      const token = url.searchParams.get('token');
      if (!canReadStatus(config.server.host, { hostHeader: request.headers.host, token }, webhook.tokens)) {
        writeJson(response, 401, { error: 'unauthorized' });
        return;
      }
      const incidents = (await listIncidents(store)).filter((incident) => incident.status === 'open');
      const heartbeat = await getHeartbeat(store, config.vantage.id);
      writeJson(response, 200, {
        // deploymentId and heartbeat: the status document peers' watchdogs read (functions/watch-peers.ts).
        deploymentId: config.vantage.id,
        vantage: config.vantage,
        generatedAt: now().toISOString(),
        heartbeat: { lastHeartbeatAt: heartbeat?.lastHeartbeatAt ?? null },
        openIncidents: incidents.map((incident) => ({
          incidentKey: incident.incidentKey,
          kind: incident.kind,
          provider: incident.provider,
          category: incident.category,
          severity: incident.severity,
          title: incident.title,
          stage: incident.stage,
          services: incident.services,
          regions: incident.regions,
          startedAt: incident.startedAt,
          lastChangedAt: incident.lastChangedAt,
          verdict: incident.probeState?.verdict ?? null,
        })),
        inbox: {
          pending: await inbox.countPending(),
          commits: inbox.stats.commits,
          committedEntries: inbox.stats.entries,
        },
        metrics: metrics.snapshot(),
      });
      return;
    }
    if (findWebhookRoute(url.pathname) === undefined) {
      writeJson(response, 404, { error: 'not found' });
      return;
    }
    const answer = await acceptWebhook(toWebhookRequest(request, url), {
      config: webhook,
      inbox,
      now,
      logger,
      metrics,
    });
    await writeResponse(request, response, answer);
    if (answer.status === 202) {
      flood.accepted();
      void kick();
    }
  };
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      logger.error('request failed', {
        path: request.url?.split('?')[0],
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
      if (!response.headersSent) writeJson(response, 500, { error: 'internal error' });
      else response.destroy();
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.server.port, config.server.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;

  // ─── schedules ─────────────────────────────────────────────────────────────────────────────────
  const loops: ScheduleLoop[] = [];
  let targets: ResolvedTargets | null = null;
  if (config.probes.enabled) {
    targets = await resolveProbeTargets(config.probes, (path) => readFile(path));
    const probeTargets = targets.targets;
    if (probeTargets.length > 0) {
      loops.push(
        startScheduleLoop({
          schedule: config.probes.schedule,
          now,
          run: async (scheduledAt) => {
            const outcome = await runScheduledProbeRound(
              {
                targets: probeTargets,
                vantage: config.vantage,
                timeoutMs: config.probes.timeoutMs,
                concurrency: config.probes.concurrency,
                scheduledAt,
              },
              pipeline,
            );
            const { counts, roundId, wallMs } = outcome.summary;
            logger.info('probe round', {
              roundId,
              targets: outcome.summary.targets,
              up: counts.up,
              down: counts.down,
              degraded: counts.degraded,
              inconclusive: counts.inconclusive,
              wallMs: Math.round(wallMs),
              decisions: outcome.decisions.filter((d) => d.kind !== 'observe').length,
              queued: outcome.queued,
            });
            if (outcome.queued > 0) void kick();
          },
          onError: (error) =>
            logger.error('probe round failed', {
              error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
            }),
        }),
      );
    }
  }
  loops.push(
    startScheduleLoop({
      schedule: parseSchedule(ENGINE_TIMER_SCHEDULE),
      now,
      runAtStart: false,
      run: async () => {
        const outcome = await runEngineTimers(pipeline);
        if (outcome.queued > 0) void kick();
      },
      onError: (error) =>
        logger.error('engine timers failed', {
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        }),
    }),
  );
  loops.push(
    startScheduleLoop({
      schedule: parseSchedule(RETENTION_SCHEDULE),
      now,
      run: async () => {
        const at = now();
        const cutoff = new Date(at.getTime() - config.evidence.retentionDays * DAY_MS);
        const purged = {
          evidence: evidence ? await evidence.purgeBefore(cutoff) : 0,
          inbox: await inbox.purgeSettled(new Date(at.getTime() - INBOX_RETENTION_MS)),
          deliveries: await purgeFinishedDeliveries(store, at),
        };
        if (purged.evidence + purged.inbox + purged.deliveries > 0) logger.info('retention', purged);
      },
      onError: (error) =>
        logger.error('retention failed', {
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        }),
    }),
  );
  loops.push(
    startScheduleLoop({
      schedule: config.watchdog.schedule,
      now,
      run: async () => {
        // Our own heartbeat (published in /api/status for peers), then the peers' (watchdog-stale).
        const at = now();
        await recordHeartbeat(
          { deploymentId: config.vantage.id, at },
          { store, now: at, config: config.engine },
        );
        if (config.watchdog.peers.length === 0) return;
        const outcome = await watchPeers(config.watchdog.peers, pipeline);
        if (outcome.queued > 0) void kick();
      },
      onError: (error) =>
        logger.error('watchdog failed', {
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        }),
    }),
  );
  const pollLoop = await startPollLoop(config, pipeline, kick);
  if (pollLoop) loops.push(pollLoop);

  // Inputs accepted before a previous shutdown or crash are processed now.
  void kick();

  let closing: Promise<void> | undefined;
  return {
    info: {
      url,
      port: address.port,
      localToken,
      targets,
      sinks,
      inboxPath,
      authModes: describeAuthModes(webhook),
    },
    close() {
      closing ??= (async () => {
        // 1. Stop accepting; let in-flight requests finish (their 202 waits for the inbox commit).
        closingDown = true;
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await closed;
        // 2. Finish in-flight rounds and timers; no new ones start.
        await Promise.all(loops.map((loop) => loop.stop()));
        clearInterval(ticker);
        // 3. Process every accepted input and deliver what is due (bounded by the outbox settings).
        await backgroundRun;
        await drainInbox(inbox, pipeline);
        await worker.drain({ untilEmpty: true, maxWaitMs: config.notify.outbox.attemptTimeoutMs });
        stopController.abort();
        await inbox.close();
        await store.close();
        await metrics.flush();
      })();
      return closing;
    },
  };
}

export interface FloodGauge {
  /** Counts one accepted webhook. */
  accepted(): void;
  /** True from the moment a window reached FLOOD_ACCEPTS until the end of the window after it. */
  isHot(): boolean;
}

/** Counts accepted webhooks per FLOOD_WINDOW_MS (`clock` in milliseconds, monotonic). */
export function createFloodGauge(clock: () => number = () => performance.now()): FloodGauge {
  let windowStart = Number.NEGATIVE_INFINITY;
  let inWindow = 0;
  let hotUntil = Number.NEGATIVE_INFINITY;
  return {
    accepted() {
      const at = clock();
      if (at - windowStart >= FLOOD_WINDOW_MS) {
        windowStart = at;
        inWindow = 0;
      }
      inWindow++;
      if (inWindow >= FLOOD_ACCEPTS) hotUntil = windowStart + 2 * FLOOD_WINDOW_MS;
    },
    isHot: () => clock() < hotUntil,
  };
}

/** Runs the provider pollers (shared/poll) on their schedule when any is configured. */
async function startPollLoop(
  config: CrosswatchConfig,
  pipeline: PipelineDeps,
  kick: () => Promise<void>,
): Promise<ScheduleLoop | null> {
  const { createConfiguredPollers } = await import('./configured-pollers.ts');
  const pollers = await createConfiguredPollers(config.pollers, pipeline.logger);
  if (pollers.length === 0) return null;
  const { runPollRound } = await import('../../shared/poll/run-poll-round.ts');
  const { processEvents } = await import('../../shared/engine/process-event.ts');
  const { enqueueNotifications } = await import('../../shared/notify/enqueue-notifications.ts');
  const { reportDecisions } = await import('../../shared/pipeline/pipeline-deps.ts');
  return startScheduleLoop({
    schedule: config.pollers.schedule,
    now: pipeline.now,
    run: async () => {
      const summary = await runPollRound(pollers, {
        store: pipeline.store,
        config: pipeline.engine,
        now: pipeline.now,
        processEvents: (events) =>
          processEvents(events, { store: pipeline.store, now: pipeline.now, config: pipeline.engine }),
      });
      reportDecisions(summary.decisions, pipeline);
      const queued = await enqueueNotifications(summary.decisions, {
        store: pipeline.store,
        routing: pipeline.routing,
        now: pipeline.now,
      });
      pipeline.logger.info('poll round', {
        sources: summary.results.map((result) => `${result.source}:${result.status}`).join(' '),
        decisions: summary.decisions.length,
        queued: queued.created.length,
      });
      if (queued.created.length > 0) void kick();
    },
    onError: (error) =>
      pipeline.logger.error('poll round failed', {
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      }),
  });
}
