/**
 * What the cloud adapters share around each invocation (the Middy idea: plain handlers, wrapped
 * once; the runtime itself is kept per instance with util/keep-on-success.ts): one invocation run
 * with its logger and metrics, a failure logged (redacted) and counted before it is rethrown for the
 * platform to retry, the metrics always flushed. The HTTP variant answers a given response (503: senders retry it) instead of throwing.
 */
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { Runtime } from './open-runtime.ts';

export interface Observed {
  readonly logger: Logger;
  readonly metrics: Metrics;
}

export interface Invocation extends Observed {
  readonly runtime: Runtime;
  pipeline(): ReturnType<Runtime['pipeline']>;
  outbox(options?: Parameters<Runtime['outbox']>[1]): ReturnType<Runtime['outbox']>;
}

/** Runs one invocation; a failure is logged and counted as `function.failed`, then rethrown. */
export async function runObservedInvocation<T>(
  runtime: Runtime,
  observed: Observed,
  functionName: string,
  work: (invocation: Invocation) => Promise<T>,
): Promise<T> {
  const { logger, metrics } = observed;
  try {
    return await work({
      runtime,
      logger,
      metrics,
      pipeline: () => runtime.pipeline(logger, metrics),
      outbox: (options) => runtime.outbox(logger, options),
    });
  } catch (error) {
    logger.error(`${functionName} failed`, { error });
    metrics.count('function.failed', { function: functionName });
    throw error;
  } finally {
    await metrics.flush();
  }
}

/** Runs one HTTP invocation; anything unexpected is logged and answered `unavailable`, with no detail. */
export async function respondObserved<R>(
  observed: Observed,
  functionName: string,
  unavailable: R,
  work: () => Promise<R>,
): Promise<R> {
  try {
    return await work();
  } catch (error) {
    observed.logger.error(`${functionName} failed`, { error });
    return unavailable;
  } finally {
    await observed.metrics.flush();
  }
}
