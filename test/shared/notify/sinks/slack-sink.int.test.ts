/**
 * The Slack sink against a loopback server emulating an incoming webhook: 200 `ok`, the plain-text
 * error codes of test/fixtures/slack/error-responses.md with their statuses, 429 with Retry-After,
 * and a server that never answers.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createSlackSink } from '../../../../shared/notify/sinks/slack-sink.ts';
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

async function sendWith(reply: ScriptedReply, attempt = 1) {
  server = await startRecordingServer(() => reply);
  const sink = createSlackSink(
    {
      kind: 'slack',
      name: 'ops-slack',
      url: `${server.url}/services/T000/B000/XXXXXXXX`,
      allowInsecure: true,
      allowPrivate: true,
    },
    { now: () => new Date('2026-02-02T19:20:00.000Z') },
  );
  return sink.send(buildMessage(), buildContext({ attempt }));
}

describe('Slack sink', () => {
  it('posts Block Kit JSON and treats 200 ok as delivered', async () => {
    const result = await sendWith({ status: 200, body: 'ok' });
    expect(result).toEqual({ outcome: 'delivered', status: 200, receipt: null, detail: 'HTTP 200 ok' });
    const request = server?.requests[0];
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/services/T000/B000/XXXXXXXX');
    expect(request?.headers['content-type']).toBe('application/json');
    const body = JSON.parse(request?.body ?? '{}');
    expect(body.blocks[0].type).toBe('header');
    expect(body.text).toContain('Azure control plane failing');
  });

  it.each([
    [400, 'invalid_payload'],
    [400, 'user_not_found'],
    [403, 'action_prohibited'],
    [404, 'channel_not_found'],
    [404, 'no_service'],
    [410, 'channel_is_archived'],
  ])('classifies %i %s as permanent and names the error', async (status, code) => {
    const result = await sendWith({ status, headers: { 'content-type': 'text/plain' }, body: code });
    expect(result).toEqual({ outcome: 'permanent', status, detail: `HTTP ${status} ${code}` });
  });

  it('classifies 500 rollup_error as transient', async () => {
    expect(await sendWith({ status: 500, body: 'rollup_error' })).toEqual({
      outcome: 'transient',
      status: 500,
      detail: 'HTTP 500 rollup_error',
    });
  });

  it('honours 429 Retry-After in seconds and as an HTTP date, capped at 10 minutes', async () => {
    const seconds = await sendWith({ status: 429, headers: { 'retry-after': '30' }, body: '{"ok":false}' });
    expect(seconds).toMatchObject({ outcome: 'retry-after', status: 429, retryAfterMs: 30_000 });
    await server?.close();
    const date = await sendWith({ status: 429, headers: { 'retry-after': 'Mon, 02 Feb 2026 19:20:45 GMT' } });
    expect(date).toMatchObject({ outcome: 'retry-after', retryAfterMs: 45_000 });
    await server?.close();
    const huge = await sendWith({ status: 429, headers: { 'retry-after': '86400' } });
    expect(huge).toMatchObject({ outcome: 'retry-after', retryAfterMs: 600_000 });
    await server?.close();
    const none = await sendWith({ status: 429 }, 3);
    expect(none).toMatchObject({ outcome: 'retry-after', retryAfterMs: 4_000 });
  });

  it('is aborted by the attempt signal when the server never answers', async () => {
    server = await startRecordingServer(() => ({ status: 200, hang: true }));
    const sink = createSlackSink({
      kind: 'slack',
      name: 's',
      url: `${server.url}/hook`,
      allowInsecure: true,
      allowPrivate: true,
    });
    const controller = new AbortController();
    const pending = sink.send(buildMessage(), buildContext({ signal: controller.signal }));
    await expect.poll(() => server?.requests.length, { timeout: 15_000 }).toBe(1);
    controller.abort();
    expect(await pending).toEqual({
      outcome: 'transient',
      status: null,
      detail: 'no answer before the attempt was aborted (timeout or shutdown)',
    });
  });
});
