/** The PagerDuty sink against a loopback server emulating Events API v2 (202, 400, 429, 5xx). */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createPagerDutySink } from '../../../../shared/notify/sinks/pagerduty-sink.ts';
import {
  buildContext,
  buildMessage,
  type RecordingServer,
  type ScriptedReply,
  startRecordingServer,
} from '../../../helpers/notify-messages.ts';

const SUCCESS = readFileSync('test/fixtures/pagerduty/enqueue-202-success-response.json', 'utf8');
const INVALID = readFileSync('test/fixtures/pagerduty/enqueue-error-response.json', 'utf8');
const json = { 'content-type': 'application/json' };

let server: RecordingServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(reply: (index: number) => ScriptedReply) {
  server = await startRecordingServer((_request, index) => reply(index));
  return createPagerDutySink({
    kind: 'pagerduty',
    name: 'pd',
    routingKey: 'e93facc04764012d7bfb002500d5d1a6',
    url: `${server.url}/v2/enqueue`,
    allowInsecure: true,
    allowPrivate: true,
  });
}

describe('PagerDuty sink', () => {
  it('triggers, then resolves with the same dedup_key and routing key; 202 is delivered', async () => {
    const sink = await start(() => ({ status: 202, headers: json, body: SUCCESS }));
    const message = buildMessage();
    const triggered = await sink.send(message, buildContext());
    expect(triggered).toMatchObject({ outcome: 'delivered', status: 202, receipt: 'srv01/HTTP' });
    expect(triggered.detail).toContain('trigger success - Event processed');
    const resolved = await sink.send({ ...message, action: 'resolve' }, buildContext({ deliveryId: 'd-2' }));
    expect(resolved).toMatchObject({ outcome: 'delivered', status: 202 });
    const [trigger, resolve] = (server?.requests ?? []).map((r) => JSON.parse(r.body));
    expect(server?.requests[0]?.url).toBe('/v2/enqueue');
    expect(trigger).toMatchObject({
      event_action: 'trigger',
      routing_key: 'e93facc04764012d7bfb002500d5d1a6',
    });
    expect(resolve).toEqual({
      event_action: 'resolve',
      routing_key: trigger.routing_key,
      dedup_key: trigger.dedup_key,
    });
  });

  it('sends nothing for an informational update', async () => {
    const sink = await start(() => ({ status: 202, headers: json, body: SUCCESS }));
    const result = await sink.send(buildMessage({ action: 'info' }), buildContext());
    expect(result).toMatchObject({ outcome: 'delivered', status: null });
    expect(server?.requests).toHaveLength(0);
  });

  it('classifies 400 as permanent with PagerDuty’s message', async () => {
    const sink = await start(() => ({ status: 400, headers: json, body: INVALID }));
    expect(await sink.send(buildMessage(), buildContext())).toEqual({
      outcome: 'permanent',
      status: 400,
      detail: 'HTTP 400 trigger Unrecognized object - Event object format is unrecognized: JSON parse error',
    });
  });

  it('backs off from 30 s on a 429 without Retry-After and honours one when given', async () => {
    const sink = await start((index) =>
      index < 2
        ? { status: 429, headers: json, body: '{}' }
        : { status: 429, headers: { 'retry-after': '5' } },
    );
    expect(await sink.send(buildMessage(), buildContext({ attempt: 1 }))).toMatchObject({
      outcome: 'retry-after',
      retryAfterMs: 30_000,
    });
    expect(await sink.send(buildMessage(), buildContext({ attempt: 2 }))).toMatchObject({
      outcome: 'retry-after',
      retryAfterMs: 60_000,
    });
    expect(await sink.send(buildMessage(), buildContext({ attempt: 3 }))).toMatchObject({
      outcome: 'retry-after',
      retryAfterMs: 5_000,
    });
  });

  it('classifies 500 and 503 without Retry-After as transient', async () => {
    const sink = await start((index) => ({ status: index === 0 ? 500 : 503 }));
    expect(await sink.send(buildMessage(), buildContext())).toMatchObject({
      outcome: 'transient',
      status: 500,
    });
    expect(await sink.send(buildMessage(), buildContext())).toMatchObject({
      outcome: 'transient',
      status: 503,
    });
  });
});
