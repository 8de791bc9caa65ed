/**
 * The state-store collections the engine owns, and how an incidentKey becomes a document key.
 */
import { createHash } from 'node:crypto';
import { MAX_KEY_LENGTH } from '../store/ports.ts';

export const COLLECTIONS = {
  /** One document per incident (provider, probe), keyed by incidentKey. */
  incidents: 'incidents',
  /** The decision log: key `<decidedAt ISO>|<seq>|<decision id>` (ascending by time). */
  decisions: 'decisions',
  /** The same decisions per incident: key `<incident hash>|<decidedAt ISO>|<seq>|<decision id>`. */
  incidentDecisions: 'incident-decisions',
  silences: 'silences',
  /** One document per vantage: the health of its control targets. */
  vantages: 'vantages',
  /** Small index documents (`provider-incidents`: provider incidents for acknowledgement). */
  engineIndex: 'engine-index',
  /** One document per provider health source (Service Health API, Graph, AWS Health…). */
  healthSources: 'health-sources',
  /** One document per deployment: its latest heartbeat and the watchdog's view of it. */
  heartbeats: 'heartbeats',
} as const;

/** Collections whose documents carry a decision journal (see decision-log.ts). */
export const JOURNALED_COLLECTIONS = [
  COLLECTIONS.incidents,
  COLLECTIONS.healthSources,
  COLLECTIONS.heartbeats,
  COLLECTIONS.vantages,
];

const LONG_KEY = 400;

function shortHash(text: string, length: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/** The incidentKey itself, or for very long keys (deep resource ids) a prefix plus a hash. */
export function toDocumentKey(key: string): string {
  if (key.length <= LONG_KEY) return key;
  return `${key.slice(0, LONG_KEY - 66)}#${shortHash(key, 64)}`.slice(0, MAX_KEY_LENGTH);
}

/** The prefix under which an incident's decisions are listed in `incident-decisions`. */
export function toIncidentDecisionPrefix(incidentKey: string): string {
  return `${shortHash(incidentKey, 24)}|`;
}
