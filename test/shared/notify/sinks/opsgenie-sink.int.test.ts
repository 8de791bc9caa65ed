/** The Opsgenie sink against a loopback server emulating the Alert API (202 + requestId). */
import { afterEach, describe, expect, it } from 'vitest';
import { createOpsgenieSink, OPSGENIE_API_URLS } from '../../../../shared/notify/sinks/opsgenie-sink.ts';
import {
  buildContext,
  buildMessage,
  type RecordingServer,
  type ScriptedReply,
  startRecordingServer,
} from '../../../helpers/notify-messages.ts';

const ACCEPTED = JSON.stringify({
  result: 'Request will be processed',
  took: 0.302,
  requestId: '43a29c5c-3dbf-4fa4-9c26-f4f71023e120',
});

let server: RecordingServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(reply: (index: number) => ScriptedReply) {
  server = await startRecordingServer((_request, index) => reply(index));
  return createOpsgenieSink({
    kind: 'opsgenie',
    name: 'og',
    apiKey: 'eb243592-faa2-4ba2-a551q-1afdf565c889',
    region: 'eu',
    url: server.url,
    allowInsecure: true,
    allowPrivate: true,
  });
}

describe('Opsgenie sink', () => {
  it('has the documented US and EU endpoints', () => {
    expect(OPSGENIE_API_URLS).toEqual({ us: 'https://api.opsgenie.com', eu: 'https://api.eu.opsgenie.com' });
  });

  it('creates an alert with GenieKey auth and closes it by alias; 202 is delivered with the requestId', async () => {
    const sink = await start(() => ({
      status: 202,
      headers: { 'content-type': 'application/json' },
      body: ACCEPTED,
    }));
    const message = buildMessage({ incidentKey: 'probe:control arm/west' });
    const created = await sink.send(message, buildContext());
    expect(created).toMatchObject({
      outcome: 'delivered',
      status: 202,
      receipt: '43a29c5c-3dbf-4fa4-9c26-f4f71023e120',
    });
    const closed = await sink.send({ ...message, action: 'resolve' }, buildContext());
    expect(closed).toMatchObject({ outcome: 'delivered', status: 202 });
    const [create, close] = server?.requests ?? [];
    expect(create?.url).toBe('/v2/alerts');
    expect(create?.headers.authorization).toBe('GenieKey eb243592-faa2-4ba2-a551q-1afdf565c889');
    expect(JSON.parse(create?.body ?? '{}')).toMatchObject({
      alias: 'probe:control arm/west',
      priority: 'P1',
    });
    expect(close?.url).toBe('/v2/alerts/probe%3Acontrol%20arm%2Fwest/close?identifierType=alias');
    expect(JSON.parse(close?.body ?? '{}')).toMatchObject({ user: 'crosswatch', source: 'crosswatch' });
  });

  it.each([
    [401, 'permanent'],
    [403, 'permanent'],
    [422, 'permanent'],
    [500, 'transient'],
  ] as const)('classifies %i as %s', async (status, outcome) => {
    const sink = await start(() => ({
      status,
      body: '{"message":"Request body is not processable","took":0.01}',
    }));
    const result = await sink.send(buildMessage(), buildContext());
    expect(result).toMatchObject({ outcome, status });
    expect(result.detail).toContain('Request body is not processable');
  });

  it('waits on 429 and on 503 with Retry-After', async () => {
    const sink = await start((index) => ({
      status: index === 0 ? 429 : 503,
      headers: { 'retry-after': '3' },
    }));
    expect(await sink.send(buildMessage(), buildContext())).toMatchObject({
      outcome: 'retry-after',
      status: 429,
      retryAfterMs: 3_000,
    });
    expect(await sink.send(buildMessage(), buildContext())).toMatchObject({
      outcome: 'retry-after',
      status: 503,
      retryAfterMs: 3_000,
    });
  });
});
