/**
 * What every pipeline path (inbox entries, probe rounds, engine timers) needs: the store, the
 * evidence archive, the engine's config, the routing table for the outbox, a clock, a logger and
 * metrics. The composition root (runtime/open-runtime.ts) builds it for every runtime.
 */
import type { EngineConfig } from '../engine/engine-config.ts';
import type { MeshPeer } from '../mesh/mesh-peer.ts';
import type { RoutingTable } from '../notify/routing.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
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
  /** This deployment in the mesh: its id and vantage, and the peers its rounds are sent to. */
  readonly mesh?: {
    readonly deploymentId: string;
    readonly vantageId: string;
    readonly peers: readonly MeshPeer[];
  };
  /** Base URL of crosswatch's status page, for links in messages. */
  readonly statusPageBaseUrl?: string;
}
