/**
 * The cloud runtimes' composition root, shared by the Azure Functions app (azure/app-context.ts)
 * and the Lambda handlers (aws/lambda-context.ts): from the validated configuration to the state
 * store, the evidence archive, the pipeline's dependencies and the notify sinks. Every heavy piece
 * is opened on first use (each store and archive adapter imports its SDK lazily), so a function that
 * never touches the outbox never loads a sink.
 */
import type { CrosswatchConfig, EvidenceConfig } from '../config/crosswatch-config.ts';
import type { Sink } from '../notify/sink.ts';
import type { SinkConfig } from '../notify/sink-config.ts';
import type { SinkDeps } from '../notify/sink-deps.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { PipelineDeps } from '../pipeline/pipeline-deps.ts';
import { createStateStore } from '../store/create-state-store.ts';
import type { EvidenceArchive, StateStore } from '../store/ports.ts';

/** Builds the configured sinks (the notify module's factory; a recording sink in tests). */
export type CreateSinks = (configs: readonly SinkConfig[], deps: SinkDeps) => Promise<readonly Sink[]>;

export interface RuntimeOptions {
  readonly now?: () => Date;
  /**
   * The sink factory (notify-sinks.ts in production). A function that never sends notifications
   * leaves it out, so its bundle carries no sink code; `sinks()` then throws.
   */
  readonly createSinks?: CreateSinks;
  readonly sinkDeps?: SinkDeps;
}

export interface Runtime {
  readonly config: CrosswatchConfig;
  readonly now: () => Date;
  store(): Promise<StateStore>;
  evidence(): Promise<EvidenceArchive | null>;
  /** The pipeline's dependencies with this invocation's logger and metrics. */
  pipeline(logger: Logger, metrics: Metrics): Promise<PipelineDeps>;
  sinks(): Promise<readonly Sink[]>;
  close(): Promise<void>;
}

export async function openEvidenceArchive(config: EvidenceConfig): Promise<EvidenceArchive | null> {
  switch (config.kind) {
    case 'none':
      return null;
    case 'directory': {
      const { createDirectoryEvidenceArchive } = await import('../store/evidence-directory.ts');
      return createDirectoryEvidenceArchive({ root: config.path });
    }
    case 'azure-blob': {
      const { createAzureBlobEvidenceArchive } = await import('../store/evidence-azure-blob.ts');
      return createAzureBlobEvidenceArchive({
        connectionString: config.connectionString,
        containerName: config.container,
      });
    }
    case 's3': {
      const { createS3EvidenceArchive } = await import('../store/evidence-s3.ts');
      return createS3EvidenceArchive({ bucket: config.bucket, prefix: config.prefix });
    }
  }
}

/** Memoizes an async factory; a rejected attempt is forgotten so the next call tries again. */
function once<T>(factory: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= factory().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}

export function openRuntime(config: CrosswatchConfig, options: RuntimeOptions): Runtime {
  const now = options.now ?? (() => new Date());
  const store = once(() => createStateStore(config.store));
  const evidence = once(() => openEvidenceArchive(config.evidence));
  const { createSinks } = options;
  const sinks = once(async () => {
    if (!createSinks) throw new TypeError('this function does not send notifications (no sink factory)');
    return createSinks(config.notify.sinks, { now, ...options.sinkDeps });
  });
  return {
    config,
    now,
    store,
    evidence,
    sinks,
    async pipeline(logger, metrics) {
      return {
        store: await store(),
        evidence: await evidence(),
        engine: config.engine,
        routing: { routes: config.notify.routes, defaultRoute: config.notify.defaultRoute },
        now,
        logger,
        metrics,
      };
    },
    async close() {
      const opened = await store().catch(() => undefined);
      await opened?.close();
    },
  };
}
