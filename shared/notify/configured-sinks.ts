/**
 * The Sink objects for a validated notify config, in config order (what the outbox worker and the
 * notify commands are given). Loads every sink module through create-sink.ts: composition roots only.
 */
import { createSink } from './create-sink.ts';
import type { NotifyConfig } from './notify-config.ts';
import type { Sink } from './sink.ts';
import type { SinkDeps } from './sink-deps.ts';

export function createConfiguredSinks(config: Pick<NotifyConfig, 'sinks'>, deps: SinkDeps = {}): Sink[] {
  return config.sinks.map((sinkConfig) => createSink(sinkConfig, deps));
}
