import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createSink, type SinkConfig, validateSinkConfig } from '../../../shared/notify/create-sink.ts';
import { buildContext, buildMessage } from '../../helpers/notify-messages.ts';

const SECRET = `whsec_${Buffer.from('0123456789abcdef01234567').toString('base64')}`;

describe('createSink', () => {
  it('builds every kind with its name and pacing', async () => {
    const configs: SinkConfig[] = [
      { kind: 'slack', name: 'a', url: 'https://hooks.slack.com/services/x' },
      { kind: 'teams', name: 'b', url: 'https://example.logic.azure.com/workflows/x' },
      { kind: 'pagerduty', name: 'c', routingKey: 'k' },
      { kind: 'opsgenie', name: 'd', apiKey: 'k', region: 'us' },
      { kind: 'webhook', name: 'e', url: 'https://example.com/in', secret: SECRET },
      {
        kind: 'email',
        name: 'f',
        smtp: { host: 'smtp.example.com', port: 587 },
        from: 'a@example.com',
        to: ['b@example.com'],
      },
      { kind: 'ses', name: 'g', region: 'eu-west-1', from: 'a@example.com', to: ['b@example.com'] },
      { kind: 'sns', name: 'h', region: 'eu-west-1', phoneNumbers: ['+15555550100'] },
      { kind: 'file', name: 'i', path: '/tmp/x.jsonl' },
      { kind: 'console', name: 'j' },
    ];
    const sinks = configs.map((config) => createSink(validateSinkConfig(config, 'sinks[0]')));
    expect(sinks.map((s) => [s.name, s.kind])).toEqual(configs.map((c) => [c.name, c.kind]));
    expect(sinks.map((s) => s.rateLimit)).toEqual([
      { requests: 1, perMs: 1_000 },
      { requests: 4, perMs: 1_000 },
      { requests: 120, perMs: 60_000 },
      null,
      null,
      null,
      null,
      null,
      null,
      null,
    ]);
  });

  it('logs each attempt with its classified outcome', async () => {
    const logged: [string, Record<string, unknown> | undefined][] = [];
    const sink = createSink(
      { kind: 'console', name: 'console' },
      { stdout: new PassThrough(), logger: { info: (message, fields) => logged.push([message, fields]) } },
    );
    const result = await sink.send(buildMessage(), buildContext({ deliveryId: 'd-9', attempt: 2 }));
    expect(result.outcome).toBe('delivered');
    expect(logged).toEqual([
      [
        'notify.sink.attempt',
        {
          sink: 'console',
          kind: 'console',
          deliveryId: 'd-9',
          attempt: 2,
          outcome: 'delivered',
          status: null,
          detail: 'written to the console',
        },
      ],
    ]);
  });

  it('turns an unexpected exception into a transient result instead of throwing', async () => {
    const stream = new PassThrough();
    stream.write = () => {
      throw new Error('stream exploded');
    };
    const sink = createSink({ kind: 'console', name: 'console' }, { stdout: stream });
    expect(await sink.send(buildMessage(), buildContext())).toMatchObject({
      outcome: 'transient',
      detail: expect.stringContaining('stream exploded'),
    });
  });
});
