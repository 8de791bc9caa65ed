/**
 * Appends one JSON line per delivery to a file (created with its directory) — for local runs and
 * replays. Full disk and similar are transient; a path that cannot be a file is permanent.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createRedactor, describeSafeError } from '../../observability/redact.ts';
import type { NotificationMessage } from '../message.ts';
import type { SendContext, Sink } from '../sink.ts';
import type { FileSinkConfig } from '../sink-config.ts';
import { resolveSinkDeps, type SinkDeps } from '../sink-deps.ts';

const PERMANENT_CODES = new Set([
  'EACCES',
  'EPERM',
  'EISDIR',
  'ENOTDIR',
  'EEXIST',
  'EROFS',
  'EINVAL',
  'ENAMETOOLONG',
]);

export interface NotificationLine {
  readonly deliveryId: string;
  readonly attempt: number;
  readonly writtenAt: string;
  readonly message: NotificationMessage;
}

export function toNotificationLine(message: NotificationMessage, context: SendContext, now: Date): string {
  const line: NotificationLine = {
    deliveryId: context.deliveryId,
    attempt: context.attempt,
    writtenAt: now.toISOString(),
    message,
  };
  return `${JSON.stringify(line)}\n`;
}

export function createFileSink(config: FileSinkConfig, deps: SinkDeps = {}): Sink {
  const { now } = resolveSinkDeps(deps);
  const redact = createRedactor([]);
  return {
    name: config.name,
    kind: 'file',
    rateLimit: null,
    async send(message, context) {
      try {
        await mkdir(dirname(config.path), { recursive: true });
        await appendFile(config.path, toNotificationLine(message, context, now()), {
          encoding: 'utf8',
          flag: 'a',
        });
        return { outcome: 'delivered', status: null, receipt: null, detail: 'appended one JSON line' };
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        const detail = `cannot append: ${describeSafeError(error, redact)}`;
        return typeof code === 'string' && PERMANENT_CODES.has(code)
          ? { outcome: 'permanent', status: null, detail }
          : { outcome: 'transient', status: null, detail };
      }
    },
  };
}
