/**
 * The local runner's HTTP server, with its limits on slow and numerous clients: header and request
 * timeouts (server.headersTimeoutMs, server.requestTimeoutMs), checked often enough to hold, a
 * keep-alive timeout, and at most server.maxConnections open connections (one more is closed at
 * once, counted and logged at most once a minute).
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { ServerConfig } from '../../shared/config/crosswatch-config.ts';
import type { Logger } from '../../shared/observability/logger.ts';
import type { InMemoryMetrics } from '../../shared/observability/metrics.ts';

export interface HttpLimits {
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly connectionsCheckingIntervalMs: number;
  readonly maxConnections: number;
}

/** An idle keep-alive connection is closed after this. */
export const KEEP_ALIVE_TIMEOUT_MS = 5000;
/** A connection over server.maxConnections is logged at most this often (each one is counted). */
const DROP_WARNING_INTERVAL_MS = 60_000;

/**
 * node:http checks the header and request timeouts only every connectionsCheckingInterval (30 s by
 * default, which let a slow client hold a socket 81 s with the 60 s default): check often enough
 * that a timeout is enforced within a quarter of it, at most a second late.
 */
function toCheckingInterval(headersTimeoutMs: number): number {
  return Math.min(1000, Math.max(10, Math.floor(headersTimeoutMs / 4)));
}

export function createLocalHttpServer(
  settings: ServerConfig,
  listener: RequestListener,
  deps: { readonly logger: Logger; readonly metrics: InMemoryMetrics; readonly now: () => Date },
): { server: Server; limits: HttpLimits } {
  const connectionsCheckingIntervalMs = toCheckingInterval(settings.headersTimeoutMs);
  const server = createServer(
    {
      headersTimeout: settings.headersTimeoutMs,
      requestTimeout: settings.requestTimeoutMs,
      connectionsCheckingInterval: connectionsCheckingIntervalMs,
    },
    listener,
  );
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.maxConnections = settings.maxConnections;
  let dropped = 0;
  let warnedAt = Number.NEGATIVE_INFINITY;
  // node:http closes a connection over maxConnections at once, before reading anything from it.
  server.on('drop', () => {
    dropped++;
    deps.metrics.count('http_connections_dropped');
    const at = deps.now().getTime();
    if (at - warnedAt < DROP_WARNING_INTERVAL_MS) return;
    warnedAt = at;
    deps.logger.warn('connection refused: server.maxConnections reached', {
      maxConnections: settings.maxConnections,
      droppedSinceStart: dropped,
    });
  });
  return {
    server,
    limits: {
      headersTimeoutMs: server.headersTimeout,
      requestTimeoutMs: server.requestTimeout,
      keepAliveTimeoutMs: server.keepAliveTimeout,
      connectionsCheckingIntervalMs,
      maxConnections: server.maxConnections,
    },
  };
}
