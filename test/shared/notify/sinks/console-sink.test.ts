import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createConsoleSink } from '../../../../shared/notify/sinks/console-sink.ts';
import { buildContext, buildMessage } from '../../../helpers/notify-messages.ts';

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

describe('console sink', () => {
  it('writes one JSON line by default', async () => {
    const out = capture();
    const sink = createConsoleSink(
      { kind: 'console', name: 'console' },
      { stdout: out.stream, now: () => new Date(0) },
    );
    const message = buildMessage();
    expect(await sink.send(message, buildContext())).toMatchObject({ outcome: 'delivered' });
    expect(JSON.parse(out.text())).toEqual({
      deliveryId: 'd-0123456789abcdef',
      attempt: 1,
      writtenAt: '1970-01-01T00:00:00.000Z',
      message,
    });
  });

  it('writes readable lines with format text and strips terminal control characters', async () => {
    const out = capture();
    const sink = createConsoleSink(
      { kind: 'console', name: 'console', format: 'text' },
      { stdout: out.stream, now: () => new Date(0) },
    );
    await sink.send(buildMessage({ headline: 'bad \u001b[31mred\u001b[0m' }), buildContext());
    const lines = out.text().trimEnd().split('\n');
    expect(lines[0]).toBe('1970-01-01T00:00:00.000Z [OPEN] Azure Resource Manager (control plane)');
    expect(lines[1]).toBe('  bad ?[31mred?[0m');
    expect(lines.some((line) => line.startsWith('  seen:   Failing from aws-eu-west-1'))).toBe(true);
    expect(lines.some((line) => line.startsWith('  likely: '))).toBe(true);
  });

  it('is transient when the stream fails', async () => {
    const stream = new PassThrough();
    stream.destroy();
    const sink = createConsoleSink({ kind: 'console', name: 'console' }, { stdout: stream });
    expect(await sink.send(buildMessage(), buildContext())).toMatchObject({ outcome: 'transient' });
  });
});
