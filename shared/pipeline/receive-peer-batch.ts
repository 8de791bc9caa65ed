/**
 * A peer batch from the inbox (accepted on the mesh route, signature and sender already checked):
 * its results are decided like this deployment's own — keyed by their vantage, deduped by their
 * update key (a batch delivered twice decides `duplicate`) — and the batch counts as the sending
 * peer's heartbeat at the time it arrived (a peer that is sending results is alive). Results of this
 * deployment's own vantage are dropped (an echo: results are never forwarded, so it can only be a
 * misconfiguration), and so are results older than the verdict's freshness window: a peer's backlog,
 * delivered when one side returns after an outage, can no longer count for a verdict, and replaying
 * it would open and resolve incidents that are long over. Nothing received is ever queued for
 * another peer.
 */
import type { Decision } from '../engine/decision.ts';
import { processEvents } from '../engine/process-event.ts';
import { recordHeartbeat } from '../engine/watchdog.ts';
import { type InboxEntry, readInboxEntryText } from '../inbox/inbox.ts';
import { computeEvidence } from '../ingest/normalize.ts';
import { parsePeerBatch } from '../mesh/parse-peer-batch.ts';
import { handleDecisions } from './handle-decisions.ts';
import type { PipelineDeps } from './pipeline-deps.ts';

export interface PeerBatchOutcome {
  readonly from: string;
  readonly events: number;
  /** Results of this deployment's own vantage, dropped. */
  readonly echoes: number;
  /** Results older than the freshness window when they arrived, dropped. */
  readonly stale: number;
  readonly decisions: readonly Decision[];
  readonly queued: number;
}

export async function receivePeerBatch(
  entry: InboxEntry,
  bytes: Uint8Array,
  deps: PipelineDeps,
): Promise<PeerBatchOutcome> {
  const receivedAt = new Date(entry.receivedAt);
  const document: unknown = JSON.parse(readInboxEntryText(entry));
  const evidence = deps.evidence ? computeEvidence(bytes) : null;
  const batch = parsePeerBatch(document, { receivedAt, evidence });
  const ownVantage = deps.mesh?.vantageId;
  const foreign = batch.events.filter((event) => event.data.vantage.id !== ownVantage);
  const echoes = batch.events.length - foreign.length;
  if (echoes > 0)
    deps.logger.warn('mesh: results of our own vantage came back, dropped', { from: batch.from, echoes });
  const oldest = deps.now().getTime() - deps.engine.verdict.freshnessMs;
  const events = foreign.filter((event) => Date.parse(event.data.updatedAt) >= oldest);
  const stale = foreign.length - events.length;
  if (stale > 0)
    deps.logger.info('mesh: results too old to count, dropped', {
      from: batch.from,
      stale,
      sentAt: batch.sentAt,
    });
  if (deps.evidence)
    await deps.evidence.put(bytes, { contentType: 'application/json', kind: 'input:peer-batch' });
  const engineDeps = { store: deps.store, now: deps.now, config: deps.engine };
  const decisions: Decision[] = events.length === 0 ? [] : [...(await processEvents(events, engineDeps))];
  decisions.push(
    ...(await recordHeartbeat(
      { deploymentId: batch.from, at: receivedAt },
      { store: deps.store, now: deps.now(), config: deps.engine },
    )),
  );
  const queued = await handleDecisions(decisions, deps);
  deps.logger.info('mesh: peer batch received', {
    from: batch.from,
    events: events.length,
    decisions: decisions.length,
    queued,
  });
  return { from: batch.from, events: events.length, echoes, stale, decisions, queued };
}
