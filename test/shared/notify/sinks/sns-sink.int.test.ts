/**
 * The SNS sink through the real AWS SDK, pointed at a loopback server (endpoint override) that
 * emulates Publish over the AWS query protocol: a form-encoded POST answered with XML.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SnsSinkConfig } from '../../../../shared/notify/sink-config.ts';
import { createSnsSink } from '../../../../shared/notify/sinks/sns-sink.ts';
import {
  buildContext,
  buildMessage,
  type RecordedRequest,
  type RecordingServer,
  type ScriptedReply,
  startRecordingServer,
} from '../../../helpers/notify-messages.ts';

const CREDENTIALS = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};

function published(id: string): ScriptedReply {
  return {
    status: 200,
    headers: { 'content-type': 'text/xml' },
    body: `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${id}</MessageId></PublishResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></PublishResponse>`,
  };
}

function snsError(status: number, code: string, message: string): ScriptedReply {
  return {
    status,
    headers: { 'content-type': 'text/xml' },
    body: `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>req-2</RequestId></ErrorResponse>`,
  };
}

function form(request: RecordedRequest | undefined): URLSearchParams {
  return new URLSearchParams(request?.body ?? '');
}

let server: RecordingServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(
  target: Pick<SnsSinkConfig, 'topicArn' | 'phoneNumbers'>,
  reply: (request: RecordedRequest, index: number) => ScriptedReply,
) {
  server = await startRecordingServer(reply);
  return createSnsSink(
    { kind: 'sns', name: 'sns', region: 'us-east-1', endpoint: server.url, ...target },
    { awsCredentials: CREDENTIALS },
  );
}

describe('SNS sink', () => {
  it('publishes to a topic with a per-protocol JSON message (SMS gets the short line)', async () => {
    const sink = await start({ topicArn: 'arn:aws:sns:us-east-1:123456789012:crosswatch-alerts' }, () =>
      published('m-1'),
    );
    const result = await sink.send(buildMessage(), buildContext());
    expect(result).toMatchObject({ outcome: 'delivered', status: 200, receipt: 'm-1' });
    const params = form(server?.requests[0]);
    expect(params.get('Action')).toBe('Publish');
    expect(params.get('TopicArn')).toBe('arn:aws:sns:us-east-1:123456789012:crosswatch-alerts');
    expect(params.get('MessageStructure')).toBe('json');
    expect(params.get('Subject')).toBe('[crosswatch] [OPEN] Azure Resource Manager (control plane)');
    const structured = JSON.parse(params.get('Message') ?? '{}');
    expect(structured.sms).toBe(
      'ALERT: Azure control plane failing from 3 of 3 vantages, not acknowledged by Microsoft yet',
    );
    expect(structured.default).toContain('Seen:');
    expect(params.has('MessageDeduplicationId')).toBe(false);
  });

  it('sets a deduplication id on a FIFO topic', async () => {
    const sink = await start({ topicArn: 'arn:aws:sns:us-east-1:123456789012:alerts.fifo' }, () =>
      published('m-2'),
    );
    await sink.send(buildMessage(), buildContext());
    const params = form(server?.requests[0]);
    expect(params.get('MessageDeduplicationId')).toMatch(/^[0-9a-f]{64}$/);
    expect(params.get('MessageGroupId')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('texts each number as a transactional SMS', async () => {
    const sink = await start({ phoneNumbers: ['+15555550100', '+15555550101'] }, (_r, index) =>
      published(`sms-${index}`),
    );
    const result = await sink.send(buildMessage(), buildContext());
    expect(result).toMatchObject({ outcome: 'delivered', receipt: 'sms-0,sms-1' });
    const numbers = (server?.requests ?? []).map((r) => form(r).get('PhoneNumber'));
    expect(numbers).toEqual(['+15555550100', '+15555550101']);
    const params = form(server?.requests[0]);
    expect(params.get('Message')?.length).toBeLessThanOrEqual(160);
    expect(params.get('MessageAttributes.entry.1.Name')).toBe('AWS.SNS.SMS.SMSType');
    expect(params.get('MessageAttributes.entry.1.Value.StringValue')).toBe('Transactional');
  });

  it('after a partial failure, a retry texts only the numbers not reached', async () => {
    const sink = await start({ phoneNumbers: ['+15555550100', '+15555550101'] }, (request, index) =>
      index === 1
        ? snsError(500, 'InternalError', 'try again')
        : published(`sms-${form(request).get('PhoneNumber')}`),
    );
    const first = await sink.send(buildMessage(), buildContext({ deliveryId: 'd-7' }));
    expect(first).toMatchObject({ outcome: 'transient', status: 500 });
    expect(first.detail).toContain('1 of 2 numbers reached');
    expect(first.detail).not.toContain('+1555555');
    const retry = await sink.send(buildMessage(), buildContext({ deliveryId: 'd-7', attempt: 2 }));
    expect(retry).toMatchObject({ outcome: 'delivered' });
    const numbers = (server?.requests ?? []).map((r) => form(r).get('PhoneNumber'));
    expect(numbers).toEqual(['+15555550100', '+15555550101', '+15555550101']);
  });

  it('classifies InvalidParameter (400) as permanent and AuthorizationError (403) as permanent', async () => {
    const sink = await start({ topicArn: 'arn:aws:sns:us-east-1:123456789012:t' }, (_r, index) =>
      index === 0
        ? snsError(400, 'InvalidParameter', 'Invalid parameter: TopicArn')
        : snsError(403, 'AuthorizationError', 'not authorized'),
    );
    const invalid = await sink.send(buildMessage(), buildContext());
    expect(invalid).toMatchObject({ outcome: 'permanent', status: 400 });
    expect(invalid.detail).toContain('InvalidParameter');
    expect(await sink.send(buildMessage(), buildContext())).toMatchObject({
      outcome: 'permanent',
      status: 403,
    });
  });

  it('classifies throttling as transient', async () => {
    const sink = await start({ topicArn: 'arn:aws:sns:us-east-1:123456789012:t' }, () =>
      snsError(429, 'Throttling', 'Rate exceeded'),
    );
    expect(await sink.send(buildMessage(), buildContext())).toMatchObject({
      outcome: 'transient',
      status: 429,
    });
    expect(server?.requests).toHaveLength(1);
  });
});
