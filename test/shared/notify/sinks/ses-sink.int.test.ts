/**
 * The SES v2 sink through the real AWS SDK, pointed at a loopback server (endpoint override) that
 * emulates SendEmail: REST-JSON `POST /v2/email/outbound-emails`, errors named by `x-amzn-ErrorType`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createSesSink } from '../../../../shared/notify/sinks/ses-sink.ts';
import {
  buildContext,
  buildMessage,
  type RecordingServer,
  type ScriptedReply,
  startRecordingServer,
} from '../../../helpers/notify-messages.ts';

const CREDENTIALS = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};

let server: RecordingServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(reply: ScriptedReply) {
  server = await startRecordingServer(() => reply);
  return createSesSink(
    {
      kind: 'ses',
      name: 'ses',
      region: 'eu-west-1',
      from: 'alerts@example.com',
      to: ['oncall@example.com'],
      endpoint: server.url,
    },
    { awsCredentials: CREDENTIALS },
  );
}

function awsError(status: number, type: string, message: string): ScriptedReply {
  return {
    status,
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': type, 'x-amzn-requestid': 'req-1' },
    body: JSON.stringify({ message }),
  };
}

describe('SES v2 sink', () => {
  it('sends SendEmail with subject, text and HTML and returns the MessageId', async () => {
    const sink = await start({
      status: 200,
      headers: { 'content-type': 'application/json', 'x-amzn-requestid': 'req-1' },
      body: JSON.stringify({ MessageId: '0100018d-example-000000' }),
    });
    const result = await sink.send(buildMessage(), buildContext());
    expect(result).toMatchObject({ outcome: 'delivered', status: 200, receipt: '0100018d-example-000000' });
    const request = server?.requests[0];
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/v2/email/outbound-emails');
    expect(request?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/ses\/aws4_request/,
    );
    const body = JSON.parse(request?.body ?? '{}');
    expect(body.FromEmailAddress).toBe('alerts@example.com');
    expect(body.Destination).toEqual({ ToAddresses: ['oncall@example.com'] });
    expect(body.Content.Simple.Subject.Data).toBe(
      '[crosswatch] [OPEN] Azure Resource Manager (control plane)',
    );
    expect(body.Content.Simple.Body.Text.Data).toContain('Azure control plane failing');
    expect(body.Content.Simple.Body.Html.Data).toContain('<h2>');
  });

  it('classifies MessageRejected (400) as permanent', async () => {
    const sink = await start(awsError(400, 'MessageRejected', 'Email address is not verified.'));
    const result = await sink.send(buildMessage(), buildContext());
    expect(result).toMatchObject({ outcome: 'permanent', status: 400 });
    expect(result.detail).toContain('MessageRejected');
  });

  it('classifies throttling (429 TooManyRequestsException) and 500 as transient (the SDK does not retry)', async () => {
    const throttled = await start(
      awsError(429, 'TooManyRequestsException', 'Maximum sending rate exceeded.'),
    );
    expect(await throttled.send(buildMessage(), buildContext())).toMatchObject({
      outcome: 'transient',
      status: 429,
    });
    expect(server?.requests).toHaveLength(1);
    await server?.close();
    const failing = await start(awsError(500, 'InternalFailure', 'internal'));
    expect(await failing.send(buildMessage(), buildContext())).toMatchObject({
      outcome: 'transient',
      status: 500,
    });
    expect(server?.requests).toHaveLength(1);
  });

  it('is aborted by the signal when the endpoint hangs', async () => {
    const sink = await start({ status: 200, hang: true });
    const controller = new AbortController();
    const pending = sink.send(buildMessage(), buildContext({ signal: controller.signal }));
    await expect.poll(() => server?.requests.length, { timeout: 15_000 }).toBe(1);
    controller.abort();
    expect(await pending).toMatchObject({ outcome: 'transient', status: null });
  });
});
