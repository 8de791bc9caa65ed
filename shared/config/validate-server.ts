/** The `server` section: the local runner's bind address and its HTTP server's limits. */
import type { ConfigDocument } from './config-document.ts';
import type { ServerConfig } from './crosswatch-config.ts';
import { SchemaViolation } from './walk-json-schema.ts';

export function validateServer(server: NonNullable<ConfigDocument['server']>): ServerConfig {
  // node:http refuses a headers timeout longer than the request timeout.
  if (server.requestTimeoutMs < server.headersTimeoutMs)
    throw new SchemaViolation(
      'server.requestTimeoutMs',
      `must be at least server.headersTimeoutMs (${server.headersTimeoutMs})`,
    );
  return {
    host: server.host,
    port: server.port,
    headersTimeoutMs: server.headersTimeoutMs,
    requestTimeoutMs: server.requestTimeoutMs,
    maxConnections: server.maxConnections,
  };
}
