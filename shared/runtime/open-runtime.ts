/**
 * The one composition root. Every runtime — the Azure Functions app, the Lambda handlers, the local
 * runner and the CLI — turns its validated configuration into a Runtime here, and gets from it the
 * state store, the inbox, the evidence archive, the sinks, the pipeline's and the outbox worker's
 * dependencies, the probe targets, the provider pollers and the status document. Nothing is opened
 * when the runtime is built: each part is opened on first use and then kept (a failed attempt is
 * forgotten, so the next call tries again), and each adapter's SDK is imported only then, so a
 * function that never touches the outbox never loads a sink, and one that never polls never loads
 * @azure/identity.
 *
 * What differs between runtimes is given as options: the inbox adapter (`openInbox`), the parts a
 * function brings only when it needs them — the sink factory, the pollers' builder and the probe
 * targets' resolver, left out by functions that never send, poll or probe so their bundles carry
 * none of that code — the deployment's id and peers, and the pollers' credential rule.
 */
import type { CrosswatchConfig } from '../config/crosswatch-config.ts';
import type { Inbox } from '../inbox/inbox.ts';
import type { MeshPeer } from '../mesh/mesh-peer.ts';
import type { StatusDocument } from '../mesh/status-document.ts';
import type { OutboxWorkerDeps } from '../notify/outbox-worker.ts';
import type { OutboxMessage, OutboxSink, Sink } from '../notify/sink.ts';
import type { SinkConfig } from '../notify/sink-config.ts';
import type { SinkDeps } from '../notify/sink-deps.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { PipelineDeps } from '../pipeline/pipeline-deps.ts';
import type { ResolvedTargets, resolveProbeTargets } from '../pipeline/resolve-probe-targets.ts';
import type { Poller } from '../poll/run-poll-round.ts';
import type { EvidenceArchive, StateStore } from '../store/ports.ts';
import { keepOnSuccess } from '../util/keep-on-success.ts';
import type { AcceptWebhookDeps } from '../webhook/accept-webhook.ts';
import type { EntraKeyResolver } from '../webhook/entra-webhook-token.ts';
import type { BuildPollers, PollEndpoints } from './build-pollers.ts';
import type { CredentialFor } from './create-poller-credential.ts';

/** Builds the configured sinks (create-notify-sinks.ts in production; a recording sink in tests). */
export type CreateSinks = (configs: readonly SinkConfig[], deps: SinkDeps) => Promise<readonly Sink[]>;

/**
 * Opens the inbox webhook inputs are made durable in: the runtime's own adapter (Azure Storage
 * queue, SQS), loaded on first use. `overflow` keeps bodies over a queue's message size limit.
 */
export type OpenInbox<I extends Inbox> = (overflow: EvidenceArchive | null) => Promise<I>;

export interface RuntimeOptions<I extends Inbox> {
  readonly now?: () => Date;
  /** Where webhook inputs are made durable (open-local-inbox.ts: the SQLite inbox in the data directory). */
  readonly openInbox: OpenInbox<I>;
  /** This deployment's id in the mesh and for its heartbeat (default: the vantage id). */
  readonly deploymentId?: string;
  /**
   * The sink factory (create-notify-sinks.ts). A function that never sends notifications leaves it
   * out, so its bundle carries no sink code; `sinks()` then throws.
   */
  readonly createSinks?: CreateSinks;
  readonly sinkDeps?: SinkDeps;
  /** Wraps every sink, e.g. so each attempt is one log line and metrics (the local runner's observeSink). */
  readonly wrapSink?: <M extends OutboxMessage>(sink: Sink<M>) => Sink<M>;
  /**
   * The pollers' builder (build-pollers.ts). A function that never polls leaves it out, so its
   * bundle carries no poller code (@azure/identity, the ARM SDK); `pollers()` then throws.
   */
  readonly buildPollers?: BuildPollers;
  /** The pollers' credential (default: the platform identity, or the configured service principal). */
  readonly credentialFor?: CredentialFor;
  readonly pollEndpoints?: PollEndpoints;
  /** Outbound HTTP for the sinks and the watchdog's peer pulls (tests: loopback). */
  readonly fetch?: typeof fetch;
  /**
   * Resolves the probe targets (resolve-probe-targets.ts). A function that never probes leaves it
   * out, so its bundle carries no catalog or targets-file code; `probeTargets()` then throws.
   */
  readonly resolveProbeTargets?: typeof resolveProbeTargets;
  /**
   * Entra signing keys for secure webhooks (default: the tenant's JWKS fetched with `fetch` and
   * cached with a stale-if-error window, entra-key-set.ts; tests: a local one).
   */
  readonly fetchJwks?: EntraKeyResolver;
  /** Reads the probe targets file (default: node:fs). */
  readonly readFile?: (path: string) => Promise<Uint8Array>;
}

export interface Runtime<I extends Inbox = Inbox> {
  readonly config: CrosswatchConfig;
  readonly now: () => Date;
  readonly deploymentId: string;
  /** The mesh peers (`mesh.peers`): results are exchanged with them and they are watched. */
  readonly peers: readonly MeshPeer[];
  /** Outbound HTTP for the watchdog's peer pulls. */
  readonly fetch: typeof fetch;
  store(): Promise<StateStore>;
  evidence(): Promise<EvidenceArchive | null>;
  inbox(): Promise<I>;
  sinks(): Promise<readonly Sink[]>;
  /** One outbox sink per peer this deployment sends its probe results to (mesh/peer-sink.ts). */
  peerSinks(): Promise<readonly OutboxSink[]>;
  /** What webhook acceptance needs: the webhook settings, the inbox, the clock, the Entra keys. */
  webhook(logger: Logger, metrics: Metrics): Promise<AcceptWebhookDeps>;
  /** The pipeline's dependencies with this invocation's logger and metrics. */
  pipeline(logger: Logger, metrics: Metrics): Promise<PipelineDeps>;
  /**
   * The outbox worker's dependencies (store, sinks, settings, evidence for receipts): the
   * notification sinks and the peers' sinks, or only the peers' (`{ peersOnly: true }`) for a
   * function without a sink factory that sends its round's results right away.
   */
  outbox(logger: Logger, options?: { readonly peersOnly?: boolean }): Promise<OutboxWorkerDeps>;
  /** The probe targets of this deployment: the catalog filled from the tenant, plus the targets file. */
  probeTargets(): Promise<ResolvedTargets>;
  pollers(): Promise<readonly Poller[]>;
  statusDocument(): Promise<StatusDocument>;
  /** Closes what was opened (inbox, evidence archive, store). */
  close(): Promise<void>;
}

async function openSinks<I extends Inbox>(
  config: CrosswatchConfig,
  options: RuntimeOptions<I>,
  now: () => Date,
): Promise<readonly Sink[]> {
  const { createSinks, wrapSink } = options;
  if (!createSinks) throw new TypeError('this function does not send notifications (no sink factory)');
  const created = await createSinks(config.notify.sinks, {
    now,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...options.sinkDeps,
  });
  return wrapSink ? created.map(wrapSink) : created;
}

async function resolveTargets<I extends Inbox>(
  config: CrosswatchConfig,
  options: RuntimeOptions<I>,
): Promise<ResolvedTargets> {
  const { resolveProbeTargets } = options;
  if (!resolveProbeTargets) throw new TypeError('this function does not probe (no targets resolver)');
  const readFile = options.readFile ?? (await import('node:fs/promises')).readFile;
  return resolveProbeTargets(config.probes, readFile);
}

function createPollers<I extends Inbox>(
  config: CrosswatchConfig,
  options: RuntimeOptions<I>,
  now: () => Date,
): Poller[] {
  const { buildPollers } = options;
  if (!buildPollers) throw new TypeError('this function does not poll (no pollers builder)');
  return buildPollers(
    {
      pollers: config.pollers,
      ...(options.credentialFor ? { credentialFor: options.credentialFor } : {}),
      ...(options.pollEndpoints ? { endpoints: options.pollEndpoints } : {}),
    },
    now,
  );
}

export function openRuntime<I extends Inbox>(
  config: CrosswatchConfig,
  options: RuntimeOptions<I>,
): Runtime<I> {
  const now = options.now ?? (() => new Date());
  const doFetch = options.fetch ?? globalThis.fetch;
  const store = keepOnSuccess(async () => {
    const { createStateStore } = await import('../store/create-state-store.ts');
    return createStateStore(config.store);
  });
  const evidence = keepOnSuccess(async () => {
    const { openEvidenceArchive } = await import('./open-evidence-archive.ts');
    return openEvidenceArchive(config.evidence, { now });
  });
  const inbox = keepOnSuccess(async () => options.openInbox(await evidence.get()));
  const sinks = keepOnSuccess(() => openSinks(config, options, now));
  const probeTargets = keepOnSuccess(() => resolveTargets(config, options));
  const pollers = keepOnSuccess(async () => createPollers(config, options, now));
  const deploymentId = options.deploymentId || config.vantage.id;
  const peers = config.mesh.peers;
  // One key cache per runtime: it outlives invocations, so a JWKS outage is bridged by cached keys.
  const entraKeys = keepOnSuccess(async (): Promise<EntraKeyResolver | undefined> => {
    const entra = config.webhook.entra;
    if (options.fetchJwks || entra === null) return options.fetchJwks;
    const [{ createEntraKeySet }, { resolveJwksUrl }] = await Promise.all([
      import('../webhook/entra-key-set.ts'),
      import('../webhook/entra-webhook-token.ts'),
    ]);
    return createEntraKeySet({ url: resolveJwksUrl(entra), fetch: doFetch, now });
  });
  const peerSinks = keepOnSuccess(async () => {
    const { createPeerSink, listSendingPeers } = await import('../mesh/peer-sink.ts');
    const network = options.fetch ? { fetch: options.fetch } : {};
    const created = listSendingPeers(peers).map((peer) => createPeerSink(peer, { ...network, now }));
    const { wrapSink } = options;
    return wrapSink ? created.map((sink) => wrapSink(sink)) : created;
  });
  return {
    config,
    now,
    deploymentId,
    peers,
    fetch: doFetch,
    store: store.get,
    evidence: evidence.get,
    inbox: inbox.get,
    sinks: sinks.get,
    peerSinks: peerSinks.get,
    probeTargets: probeTargets.get,
    pollers: pollers.get,
    async webhook(logger, metrics) {
      const fetchJwks = await entraKeys.get();
      return {
        config: config.webhook,
        inbox: await inbox.get(),
        now,
        logger,
        metrics,
        peers,
        ...(fetchJwks ? { fetchJwks } : {}),
      };
    },
    async pipeline(logger, metrics) {
      return {
        store: await store.get(),
        evidence: await evidence.get(),
        engine: config.engine,
        routing: {
          routes: config.notify.routes,
          defaultRoute: config.notify.defaultRoute,
          splitBySubscription: config.notify.splitBySubscription,
        },
        mesh: { deploymentId, vantageId: config.vantage.id, peers },
        now,
        logger,
        metrics,
      };
    },
    async outbox(logger, outboxOptions = {}) {
      const archive = await evidence.get();
      const notifySinks = outboxOptions.peersOnly ? [] : await sinks.get();
      return {
        store: await store.get(),
        sinks: [...notifySinks, ...(await peerSinks.get())],
        settings: config.notify.outbox,
        now,
        logger,
        ...(archive ? { evidence: archive } : {}),
      };
    },
    async statusDocument() {
      const { buildStatusDocument } = await import('../mesh/status-document.ts');
      return buildStatusDocument({
        store: await store.get(),
        deploymentId,
        peerIds: peers.map((peer) => peer.id),
        vantage: config.vantage,
        now,
      });
    },
    async close() {
      const openedInbox = await inbox.peek()?.catch(() => undefined);
      if (openedInbox && 'close' in openedInbox && typeof openedInbox.close === 'function')
        await openedInbox.close();
      // After the inbox (it may park bodies in the archive): the SQLite archive holds a file open.
      const openedEvidence = await evidence.peek()?.catch(() => undefined);
      if (openedEvidence && 'close' in openedEvidence && typeof openedEvidence.close === 'function')
        await openedEvidence.close();
      const openedStore = await store.peek()?.catch(() => undefined);
      await openedStore?.close();
    },
  };
}
