/**
 * What every provider-health poller returns: the normalized events it found and whether its source
 * could be reached. An unreachable source is a signal, not silence: `runPollRound` reports it to the
 * engine (shared/engine/health-sources.ts), which escalates `health-source-unreachable` once the
 * source has failed long enough.
 */
import type { CrosswatchEvent } from '../event/schema.ts';

export const HEALTH_SOURCES = {
  azureResourceHealth: 'azure-resource-health',
  m365Graph: 'm365-graph',
  azureStatusFeed: 'azure-status-feed',
  awsHealthApi: 'aws-health-api',
} as const;
export type HealthSourceId = (typeof HEALTH_SOURCES)[keyof typeof HEALTH_SOURCES];

export type SourceStatus =
  | { readonly reachable: true }
  /** `reason` is safe to log and store: a status code or an error class, never a token or URL query. */
  | { readonly reachable: false; readonly reason: string };

export interface PollResult {
  readonly source: HealthSourceId;
  readonly status: SourceStatus;
  readonly events: CrosswatchEvent[];
  readonly notices: string[];
}

/** The source answered with a status that is not a success. */
export class SourceHttpError extends Error {
  override name = 'SourceHttpError';
  constructor(
    readonly status: number,
    readonly source: string,
  ) {
    super(`${source} answered HTTP ${status}`);
  }
}

const SAFE_CODE = /^[A-Z][A-Z0-9_]{1,40}$/;

/**
 * A reason for an unreachable source that never carries secrets: the HTTP status, the Node error
 * code, or the error class name. Messages are left out on purpose (SDK messages may quote URLs).
 */
export function describeSourceFailure(error: unknown): string {
  if (error instanceof SourceHttpError) return `HTTP ${error.status}`;
  if (typeof error === 'object' && error !== null) {
    const { statusCode, status, code, name } = error as {
      statusCode?: unknown;
      status?: unknown;
      code?: unknown;
      name?: unknown;
    };
    const http =
      typeof statusCode === 'number' ? statusCode : typeof status === 'number' ? status : undefined;
    if (http !== undefined && http >= 100 && http <= 599) return `HTTP ${http}`;
    const cause = (error as { cause?: unknown }).cause;
    const causeCode =
      typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
    for (const candidate of [code, causeCode]) {
      if (typeof candidate === 'string' && SAFE_CODE.test(candidate)) return candidate;
    }
    if (typeof name === 'string' && /^[A-Za-z]{1,60}$/.test(name)) return name;
  }
  return 'unknown error';
}

export function unreachable(source: HealthSourceId, error: unknown, notices: string[] = []): PollResult {
  return {
    source,
    status: { reachable: false, reason: describeSourceFailure(error) },
    events: [],
    notices,
  };
}
