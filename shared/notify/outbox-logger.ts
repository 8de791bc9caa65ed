/** What the outbox writes to (the runtime's logger fits), and the logger that writes nothing. */
export interface OutboxLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

export const SILENT_LOGGER: OutboxLogger = { info: () => undefined, warn: () => undefined };
