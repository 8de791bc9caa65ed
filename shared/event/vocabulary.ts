/**
 * The closed vocabularies of crosswatch event schema v1. These arrays are the single source for the
 * TypeBox schema (schema.ts), the generated JSON Schema, and the runtime checks in the normalizers.
 * They are plain `as const` data so that importing them costs nothing at cold start.
 */

export const SCHEMA_VERSION = 1 as const;

export const EVENT_TYPES = {
  providerIncident: 'io.crosswatch.provider.incident',
  resourceHealth: 'io.crosswatch.resource.health',
  probeResult: 'io.crosswatch.probe.result',
  heartbeat: 'io.crosswatch.heartbeat',
} as const;
export type EventType = (typeof EVENT_TYPES)[keyof typeof EVENT_TYPES];

export const PROVIDERS = ['azure', 'aws', 'm365', 'crosswatch'] as const;
export type Provider = (typeof PROVIDERS)[number];

/** The input format an event was normalized from. */
export const ORIGINS = [
  'azure-monitor-common',
  'azure-activity-log-webhook',
  'azure-activity-log-record',
  'azure-resource-health-api',
  'aws-health',
  'm365-graph',
  'probe',
  /** Entries of the public Azure status feed (RSS), polled; not a webhook format. */
  'azure-status-feed',
] as const;
export type Origin = (typeof ORIGINS)[number];

export const CATEGORIES = [
  'incident',
  'maintenance',
  'security',
  'advisory',
  'action-required',
  'resource-health',
  'probe',
] as const;
export type Category = (typeof CATEGORIES)[number];

export const STATUSES = ['active', 'resolved', 'scheduled', 'informational'] as const;
export type Status = (typeof STATUSES)[number];

export const SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** The planes a probe measures: where an outage shows first. */
export const PLANES = [
  'dns',
  'edge',
  'identity',
  'control',
  'data',
  'mail',
  'status',
  'control-target',
] as const;
export type Plane = (typeof PLANES)[number];

export const PROBE_KINDS = ['http', 'dns', 'tcp', 'smtp', 'tls', 'entra', 'feed'] as const;
export type ProbeKind = (typeof PROBE_KINDS)[number];

export const PROBE_OUTCOMES = ['up', 'down', 'degraded', 'inconclusive'] as const;
export type ProbeOutcome = (typeof PROBE_OUTCOMES)[number];

export const VANTAGE_CLOUDS = ['azure', 'aws', 'local', 'other'] as const;
export type VantageCloud = (typeof VANTAGE_CLOUDS)[number];

/**
 * Stable probe error codes. A code names what failed, never how the library phrased it. HTTP status
 * failures use `HTTP_<status>` and SMTP reply failures `SMTP_<code>`, both matched by pattern.
 */
export const PROBE_ERROR_CODES = [
  'DNS_NXDOMAIN',
  'DNS_SERVFAIL',
  'DNS_REFUSED',
  'DNS_TIMEOUT',
  'DNS_NODATA',
  'DNS_MISMATCH',
  'DNS_ERROR',
  'TCP_REFUSED',
  'TCP_RESET',
  'TCP_TIMEOUT',
  'TCP_UNREACHABLE',
  'TCP_ERROR',
  'TLS_EXPIRED',
  'TLS_NOT_YET_VALID',
  'TLS_UNTRUSTED',
  'TLS_HOSTNAME_MISMATCH',
  'TLS_HANDSHAKE',
  'TLS_EXPIRING',
  'HTTP_TIMEOUT',
  'HTTP_KEYWORD_MISSING',
  'HTTP_SLOW',
  'HTTP_PROTOCOL',
  'SMTP_TIMEOUT',
  'SMTP_NO_STARTTLS',
  'SMTP_PROTOCOL',
  'ENTRA_DISCOVERY_INVALID',
  'ENTRA_NO_KEYS',
  'FEED_INVALID',
  'PROBE_ABORTED',
  'PROBE_ERROR',
] as const;
export type ProbeErrorCode = (typeof PROBE_ERROR_CODES)[number] | `HTTP_${number}` | `SMTP_${number}`;

/** Matches every valid probe error code, including the `HTTP_<status>` and `SMTP_<reply>` families. */
export const PROBE_ERROR_CODE_PATTERN = `^(${PROBE_ERROR_CODES.join('|')}|HTTP_[1-5][0-9]{2}|SMTP_[2-5][0-9]{2})$`;

export const INCONCLUSIVE_REASONS = [
  'vantage-impaired',
  'event-loop-lag',
  'round-deadline',
  'aborted',
] as const;
export type InconclusiveReason = (typeof INCONCLUSIVE_REASONS)[number];
