/**
 * Writes each message to a stream (stdout by default): one JSON line, or readable lines
 * (`format: 'text'`) — the default sink of a local run with nothing configured.
 */

import { createRedactor, describeSafeError } from '../../observability/redact.ts';
import type { NotificationMessage } from '../message.ts';
import { replaceControlCharacters } from '../render/control-characters.ts';
import type { Sink } from '../sink.ts';
import type { ConsoleSinkConfig } from '../sink-config.ts';
import { resolveSinkDeps, type SinkDeps } from '../sink-deps.ts';
import { toNotificationLine } from './file-sink.ts';

export function formatReadable(message: NotificationMessage, at: Date): string {
  const lines = [`${at.toISOString()} ${message.title}`, `  ${message.headline}`];
  for (const item of message.seen) lines.push(`  seen:   ${item}`);
  for (const item of message.likely) lines.push(`  likely: ${item}`);
  for (const link of message.links) lines.push(`  link:   ${link.label} ${link.url}`);
  return `${lines.map((line) => replaceControlCharacters(line, '?')).join('\n')}\n`;
}

function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(text, (error?: Error | null) => (error ? reject(error) : resolve()));
  });
}

export function createConsoleSink(config: ConsoleSinkConfig, deps: SinkDeps = {}): Sink {
  const { now } = resolveSinkDeps(deps);
  const stream = deps.stdout ?? process.stdout;
  const redact = createRedactor([]);
  return {
    name: config.name,
    kind: 'console',
    rateLimit: null,
    async send(message, context) {
      const at = now();
      const text =
        config.format === 'text' ? formatReadable(message, at) : toNotificationLine(message, context, at);
      try {
        await write(stream, text);
        return { outcome: 'delivered', status: null, receipt: null, detail: 'written to the console' };
      } catch (error) {
        return {
          outcome: 'transient',
          status: null,
          detail: `cannot write: ${describeSafeError(error, redact)}`,
        };
      }
    },
  };
}
