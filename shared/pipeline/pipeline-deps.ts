/**
 * What every pipeline path (inbox entries, probe rounds, engine timers) needs: the store, the
 * evidence archive, the engine's config, the routing table for the outbox, a clock, a logger and
 * metrics. The runtimes (local runner, Azure Functions, AWS Lambda) build one of these at start.
 */
import type { Decision } from '../engine/decision.ts';
import type { EngineConfig } from '../engine/engine-config.ts';
import type { RoutingTable } from '../notify/routing.ts';
import type { Logger } from '../observability/logger.ts';
import { METRIC_NAMES, type Metrics } from '../observability/metrics.ts';
import type { EvidenceArchive, StateStore } from '../store/ports.ts';

export interface PipelineDeps {
  readonly store: StateStore;
  /** null: raw inputs are not archived (evidence.kind "none"). */
  readonly evidence: EvidenceArchive | null;
  readonly engine: EngineConfig;
  readonly routing: RoutingTable;
  readonly now: () => Date;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Base URL of crosswatch's status page, for links in messages. */
  readonly statusPageBaseUrl?: string;
}

/** One log line and one metric per decision (duplicates and observations at debug level). */
export function reportDecisions(
  decisions: readonly Decision[],
  deps: Pick<PipelineDeps, 'logger' | 'metrics'>,
): void {
  for (const decision of decisions) {
    deps.metrics.count(METRIC_NAMES.engineDecision, { kind: decision.kind });
    const quiet = decision.kind === 'duplicate' || decision.kind === 'observe';
    const fields = {
      kind: decision.kind,
      reason: decision.reason,
      incidentKey: decision.incidentKey,
      updateKey: decision.updateKey,
      status: decision.status,
      verdict: decision.verdict,
      decisionId: decision.id,
    };
    if (quiet) deps.logger.debug('decision', fields);
    else deps.logger.info('decision', fields);
  }
}
