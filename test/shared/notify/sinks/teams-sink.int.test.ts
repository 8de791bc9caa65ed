/** The Teams sink against a loopback server emulating a Workflows webhook (202 Accepted). */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createTeamsSink } from '../../../../shared/notify/sinks/teams-sink.ts';
import {
  buildContext,
  buildMessage,
  type RecordingServer,
  type ScriptedReply,
  startRecordingServer,
} from '../../../helpers/notify-messages.ts';

let server: RecordingServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function sendWith(reply: ScriptedReply, summary?: string) {
  server = await startRecordingServer(() => reply);
  const sink = createTeamsSink({
    kind: 'teams',
    name: 'ops-teams',
    url: `${server.url}/workflows/abc/triggers/manual/paths/invoke?api-version=1&sig=SIGNATURE123`,
    allowInsecure: true,
    allowPrivate: true,
  });
  return sink.send(buildMessage(summary === undefined ? {} : { summary }), buildContext());
}

describe('Teams sink', () => {
  it('posts the Adaptive Card envelope and treats 202 as delivered', async () => {
    const result = await sendWith({ status: 202 });
    expect(result).toMatchObject({ outcome: 'delivered', status: 202 });
    expect(result.detail).toContain('accepted');
    const fixture = JSON.parse(
      readFileSync('test/fixtures/teams/adaptive-card-message-envelope.json', 'utf8'),
    );
    const body = JSON.parse(server?.requests[0]?.body ?? '{}');
    expect(body.type).toBe(fixture.type);
    expect(body.attachments[0].contentType).toBe(fixture.attachments[0].contentType);
    expect(body.attachments[0].content.type).toBe('AdaptiveCard');
  });

  it('keeps a 100 KB summary under the 28 KB limit on the wire', async () => {
    await sendWith({ status: 202 }, 'x'.repeat(100_000));
    expect(Buffer.byteLength(server?.requests[0]?.body ?? '')).toBeLessThanOrEqual(28 * 1024);
  });

  it.each([
    [400, 'permanent'],
    [401, 'permanent'],
    [404, 'permanent'],
    [413, 'permanent'],
    [500, 'transient'],
    [502, 'transient'],
    [408, 'transient'],
  ] as const)('classifies %i as %s', async (status, outcome) => {
    const result = await sendWith({
      status,
      headers: { 'content-type': 'application/json' },
      body: '{"error":{"code":"TriggerInputSchemaMismatch","message":"bad"}}',
    });
    expect(result).toMatchObject({ outcome, status });
    expect(result.detail).toContain('TriggerInputSchemaMismatch');
  });

  it('turns 429 with Retry-After into retry-after', async () => {
    expect(await sendWith({ status: 429, headers: { 'retry-after': '2' } })).toMatchObject({
      outcome: 'retry-after',
      retryAfterMs: 2_000,
    });
  });
});
