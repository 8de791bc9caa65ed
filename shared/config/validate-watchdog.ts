/** The `watchdog` section: its schedule and the peer deployments it watches (each id once). */
import type { WatchdogInput } from './config-document.ts';
import type { WatchdogConfig } from './crosswatch-config.ts';
import { readSchedule } from './setting-values.ts';
import { SchemaViolation } from './walk-json-schema.ts';

function readPeers(peers: WatchdogInput['peers']): WatchdogConfig['peers'] {
  const seen = new Set<string>();
  return peers.map((peer, index) => {
    if (seen.has(peer.id))
      throw new SchemaViolation(`watchdog.peers[${index}].id`, `"${peer.id}" is listed twice`);
    seen.add(peer.id);
    return { id: peer.id, statusUrl: peer.statusUrl };
  });
}

export function validateWatchdog(watchdog: WatchdogInput): WatchdogConfig {
  return {
    schedule: readSchedule(watchdog.schedule, 'watchdog.schedule'),
    peers: readPeers(watchdog.peers),
  };
}
