/** The `watchdog` section: how often the heartbeat is recorded and the peers are checked. */
import type { WatchdogInput } from './config-document.ts';
import type { WatchdogConfig } from './crosswatch-config.ts';
import { readSchedule } from './setting-values.ts';

export function validateWatchdog(watchdog: WatchdogInput): WatchdogConfig {
  return { schedule: readSchedule(watchdog.schedule, 'watchdog.schedule') };
}
