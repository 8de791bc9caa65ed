/**
 * Amazon SNS: publish to a topic (a JSON message structure, so SMS subscribers get the short text
 * and email subscribers the long one; a FIFO topic dedupes on the deliveryId) or send SMS straight
 * to phone numbers (Transactional). With several numbers, the numbers already reached for a
 * delivery are remembered in this process, so a retry after a partial failure texts only the rest.
 * The SDK is imported lazily, retries off.
 */
import { createHash } from 'node:crypto';
import type { SNSClient } from '@aws-sdk/client-sns';
import { createRedactor, type Redactor } from '../../observability/redact.ts';
import type { NotificationMessage } from '../message.ts';
import { renderEmail } from '../render/email-message.ts';
import { renderSmsText } from '../render/sms-text.ts';
import { truncateText } from '../render/truncate-text.ts';
import type { SendContext, SendResult, Sink } from '../sink.ts';
import type { SnsSinkConfig } from '../sink-config.ts';
import { listConfigSecrets } from '../sink-config.ts';
import { resolveSinkDeps, type SinkDeps } from '../sink-deps.ts';
import { classifyAwsError } from './classify-aws-error.ts';
import { BACKSTOP_TIMEOUT_MS } from './post-json.ts';

const REMEMBERED_DELIVERIES = 1_000;

/** An SNS Subject: printable ASCII, one line, < 100 chars, starting with a letter, digit or punctuation. */
export function toSnsSubject(text: string): string {
  const ascii = text
    .replace(/[^\x20-\x7e]/g, '?')
    .replace(/\s+/g, ' ')
    .trim();
  return truncateText(ascii === '' ? 'crosswatch notification' : ascii, 99, '...');
}

type SnsModule = typeof import('@aws-sdk/client-sns');

interface SnsConnection {
  readonly client: SNSClient;
  readonly module: SnsModule;
}

/** The phone numbers already reached per delivery, the oldest delivery forgotten past REMEMBERED_DELIVERIES. */
type ReachedPhones = Map<string, Set<string>>;

function rememberReachedPhone(reached: ReachedPhones, deliveryId: string, phone: string): void {
  let set = reached.get(deliveryId);
  if (!set) {
    if (reached.size >= REMEMBERED_DELIVERIES) {
      const oldest = reached.keys().next().value;
      if (oldest !== undefined) reached.delete(oldest);
    }
    set = new Set();
    reached.set(deliveryId, set);
  }
  set.add(phone);
}

function toSha256Id(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 64);
}

/** One publish to the topic: a JSON message structure (email text, SMS text); a FIFO topic dedupes. */
async function publishToTopic(
  { client, module }: SnsConnection,
  topicArn: string,
  message: NotificationMessage,
  context: SendContext,
  sms: string,
  signal: AbortSignal,
): Promise<SendResult> {
  const email = renderEmail(message);
  const fifo = topicArn.endsWith('.fifo');
  const output = await client.send(
    new module.PublishCommand({
      TopicArn: topicArn,
      Subject: toSnsSubject(email.subject),
      MessageStructure: 'json',
      Message: JSON.stringify({ default: email.text, email: email.text, sms }),
      ...(fifo
        ? {
            MessageGroupId: toSha256Id(message.incidentKey),
            MessageDeduplicationId: toSha256Id(context.deliveryId),
          }
        : {}),
    }),
    { abortSignal: signal },
  );
  return {
    outcome: 'delivered',
    status: output.$metadata.httpStatusCode ?? null,
    receipt: output.MessageId ?? null,
    detail: 'SNS accepted the message for the topic',
  };
}

interface SmsSend {
  readonly connection: SnsConnection;
  readonly phones: readonly string[];
  readonly sms: string;
  readonly deliveryId: string;
  readonly reached: ReachedPhones;
  readonly signal: AbortSignal;
  readonly redact: Redactor;
  readonly now: () => Date;
}

/**
 * A Transactional SMS to each number not yet reached for this delivery; the first failure stops
 * the send (a retry texts only the rest), and success forgets the delivery.
 */
async function sendSmsToNumbers(send: SmsSend): Promise<SendResult> {
  const { connection, phones, deliveryId, reached, signal, redact } = send;
  const receipts: string[] = [];
  for (const phone of phones) {
    if (reached.get(deliveryId)?.has(phone)) continue;
    try {
      const output = await connection.client.send(
        new connection.module.PublishCommand({
          PhoneNumber: phone,
          Message: send.sms,
          MessageAttributes: {
            'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
          },
        }),
        { abortSignal: signal },
      );
      rememberReachedPhone(reached, deliveryId, phone);
      if (output.MessageId) receipts.push(output.MessageId);
    } catch (error) {
      const result = classifyAwsError(error, signal, redact, send.now());
      const done = reached.get(deliveryId)?.size ?? 0;
      return {
        ...result,
        detail: redact(`${done} of ${phones.length} numbers reached; ${result.detail}`),
      };
    }
  }
  reached.delete(deliveryId);
  return {
    outcome: 'delivered',
    status: 200,
    receipt: receipts.length > 0 ? receipts.join(',') : null,
    detail: `SNS accepted the SMS for ${phones.length} number(s)`,
  };
}

export function createSnsSink(config: SnsSinkConfig, deps: SinkDeps = {}): Sink {
  const { now } = resolveSinkDeps(deps);
  const redact = createRedactor([
    ...listConfigSecrets(config),
    deps.awsCredentials?.secretAccessKey,
    deps.awsCredentials?.sessionToken,
  ]);
  const reached: ReachedPhones = new Map();
  let client: Promise<SnsConnection> | undefined;
  const getClient = () => {
    client ??= import('@aws-sdk/client-sns').then((module) => ({
      module,
      client: new module.SNSClient({
        region: config.region,
        maxAttempts: 1,
        ...(config.endpoint ? { endpoint: config.endpoint } : {}),
        ...(deps.awsCredentials ? { credentials: deps.awsCredentials } : {}),
      }),
    }));
    return client;
  };
  return {
    name: config.name,
    kind: 'sns',
    rateLimit: null,
    async send(message, context) {
      const signal = AbortSignal.any([context.signal, AbortSignal.timeout(BACKSTOP_TIMEOUT_MS)]);
      const sms = renderSmsText(message);
      try {
        const connection = await getClient();
        if (config.topicArn) {
          return await publishToTopic(connection, config.topicArn, message, context, sms, signal);
        }
        return await sendSmsToNumbers({
          connection,
          phones: config.phoneNumbers ?? [],
          sms,
          deliveryId: context.deliveryId,
          reached,
          signal,
          redact,
          now,
        });
      } catch (error) {
        return classifyAwsError(error, signal, redact, now());
      }
    },
  };
}
