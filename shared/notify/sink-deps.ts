/** What a sink is given from outside: I/O and the clock, so tests and runtimes can substitute them. */
import type { LookupFunction } from './ssrf-guard.ts';

export interface SinkLogger {
  info(message: string, fields?: Record<string, unknown>): void;
}

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface SinkDeps {
  /**
   * A stand-in for the network of the HTTP sinks (tests, a runtime simulating an outage): the SSRF
   * guard still checks each destination, but the request goes through this fetch, unpinned. Without
   * it (production) every HTTP sink connects to the checked address itself (pinned-request.ts).
   */
  readonly fetch?: typeof fetch;
  readonly now?: () => Date;
  /** DNS resolution for the SSRF guard of every sink with a URL or host (all addresses of a name). */
  readonly lookup?: LookupFunction;
  readonly logger?: SinkLogger;
  /** Where the console sink writes (stdout by default). */
  readonly stdout?: NodeJS.WritableStream;
  /** Explicit AWS credentials for SES/SNS (the SDK's default provider chain otherwise). */
  readonly awsCredentials?: AwsCredentials;
}

export interface ResolvedSinkDeps {
  readonly fetch: typeof fetch | undefined;
  readonly now: () => Date;
  readonly lookup: LookupFunction | undefined;
  readonly logger: SinkLogger | undefined;
}

export function resolveSinkDeps(deps: SinkDeps): ResolvedSinkDeps {
  return {
    fetch: deps.fetch,
    now: deps.now ?? (() => new Date()),
    lookup: deps.lookup,
    logger: deps.logger,
  };
}
