/**
 * A reply that pads up to the 8 KiB read bound and then carries a secret (the 8,180 spaces
 * followed by the secret) must not put the secret's first characters into a detail or a log line.
 * Every HTTP sink (Slack, Teams, PagerDuty, Opsgenie, the signed webhook, a mesh peer) is driven
 * against a real loopback server, with the secret straddling the bound at several offsets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPeerSink } from '../../../../shared/mesh/peer-sink.ts';
import { createSink } from '../../../../shared/notify/create-sink.ts';
import type { PayloadMessage, SendResult } from '../../../../shared/notify/sink.ts';
import type { SinkConfig } from '../../../../shared/notify/sink-config.ts';
import { MAX_REPLY_BYTES } from '../../../../shared/notify/sinks/bounded-reply.ts';
import {
  buildContext,
  buildMessage,
  type RecordingServer,
  startRecordingServer,
} from '../../../helpers/notify-messages.ts';

const SECRET = 'Zq7SENTINELsecret0123456789abcdefXYZ';
const WEBHOOK_SECRET = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
/** How many characters of the secret fit before the bound: 12 is the case. */
const INSIDE = [4, 5, 12, 20, SECRET.length - 1];

let reply = '';
let server: RecordingServer;
beforeAll(async () => {
  server = await startRecordingServer(() => ({
    status: 400,
    headers: { 'content-type': 'text/plain' },
    body: reply,
  }));
});
afterAll(() => server.close());

function configs(base: string): SinkConfig[] {
  const open = { allowInsecure: true, allowPrivate: true };
  return [
    { kind: 'slack', name: 'slack', url: `${base}/services/T000/${SECRET}`, ...open },
    { kind: 'teams', name: 'teams', url: `${base}/workflows/x/invoke?api-version=1&sig=${SECRET}`, ...open },
    { kind: 'pagerduty', name: 'pd', routingKey: SECRET, url: `${base}/v2/enqueue`, ...open },
    { kind: 'opsgenie', name: 'og', apiKey: SECRET, region: 'us', url: base, ...open },
    { kind: 'webhook', name: 'hook', url: `${base}/in/${SECRET}`, secret: WEBHOOK_SECRET, ...open },
  ];
}

function expectNoPartialSecret(text: string): void {
  expect(text).not.toContain(SECRET.slice(0, 4));
}

describe('a reply carrying a secret across the read bound', () => {
  it.each(INSIDE)(
    'leaves no part of it in any sink detail or log line (%i characters inside)',
    async (inside) => {
      reply = `${' '.repeat(MAX_REPLY_BYTES - inside)}${SECRET}`;
      for (const config of configs(server.url)) {
        const logged: unknown[] = [];
        const sink = createSink(config, {
          logger: { info: (message, fields) => logged.push([message, fields]) },
        });
        const result = await sink.send(buildMessage(), buildContext());
        expect(result, config.kind).toMatchObject({ outcome: 'permanent', status: 400 });
        expectNoPartialSecret(JSON.stringify(result));
        expectNoPartialSecret(JSON.stringify(logged));
      }
    },
  );

  it.each(INSIDE)(
    'leaves no part of it in a mesh peer sink detail (%i characters inside)',
    async (inside) => {
      reply = `${' '.repeat(MAX_REPLY_BYTES - inside)}${SECRET}`;
      const sink = createPeerSink(
        {
          id: 'peer',
          url: `${server.url}/api/mesh?code=${SECRET}`,
          secret: WEBHOOK_SECRET,
          statusUrl: null,
          allowPrivate: true,
        },
        { now: () => new Date('2026-02-02T19:20:00.000Z') },
      );
      const batch: PayloadMessage = {
        kind: 'payload',
        title: 'batch',
        incidentKey: 'mesh',
        updateKey: 'mesh:r1',
        decidedAt: '2026-02-02T19:20:00.000Z',
        body: '{}',
      };
      const result: SendResult = await sink.send(batch, buildContext());
      expect(result).toMatchObject({ outcome: 'permanent', status: 400 });
      expectNoPartialSecret(JSON.stringify(result));
    },
  );

  it('still shows the readable part of the reply', async () => {
    reply = `invalid_payload ${SECRET}`;
    const sink = createSink(configs(server.url)[0] as SinkConfig);
    expect(await sink.send(buildMessage(), buildContext())).toMatchObject({
      outcome: 'permanent',
      detail: 'HTTP 400 invalid_payload [redacted]',
    });
  });
});
