/**
 * Amazon SNS: publish to a topic (a JSON message structure, so SMS subscribers get the short text
 * and email subscribers the long one; a FIFO topic dedupes on the deliveryId) or send SMS straight
 * to phone numbers (Transactional). With several numbers, the numbers already reached for a
 * delivery are remembered in this process, so a retry after a partial failure texts only the rest.
 * The SDK is imported lazily, retries off.
 */
import { createHash } from 'node:crypto';
import type { SNSClient } from '@aws-sdk/client-sns';
import { createRedactor } from '../../observability/redact.ts';
import { renderEmail } from '../render/email-message.ts';
import { renderSmsText } from '../render/sms-text.ts';
import { truncateText } from '../render/truncate-text.ts';
import type { Sink } from '../sink.ts';
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

export function createSnsSink(config: SnsSinkConfig, deps: SinkDeps = {}): Sink {
  const { now } = resolveSinkDeps(deps);
  const redact = createRedactor([
    ...listConfigSecrets(config),
    deps.awsCredentials?.secretAccessKey,
    deps.awsCredentials?.sessionToken,
  ]);
  const reached = new Map<string, Set<string>>();
  let client: Promise<{ client: SNSClient; module: typeof import('@aws-sdk/client-sns') }> | undefined;
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
  const remember = (deliveryId: string, phone: string) => {
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
  };
  return {
    name: config.name,
    kind: 'sns',
    rateLimit: null,
    async send(message, context) {
      const signal = AbortSignal.any([context.signal, AbortSignal.timeout(BACKSTOP_TIMEOUT_MS)]);
      const sms = renderSmsText(message);
      try {
        const { client: sns, module } = await getClient();
        if (config.topicArn) {
          const email = renderEmail(message);
          const fifo = config.topicArn.endsWith('.fifo');
          const output = await sns.send(
            new module.PublishCommand({
              TopicArn: config.topicArn,
              Subject: toSnsSubject(email.subject),
              MessageStructure: 'json',
              Message: JSON.stringify({ default: email.text, email: email.text, sms }),
              ...(fifo
                ? {
                    MessageGroupId: createHash('sha256')
                      .update(message.incidentKey)
                      .digest('hex')
                      .slice(0, 64),
                    MessageDeduplicationId: createHash('sha256')
                      .update(context.deliveryId)
                      .digest('hex')
                      .slice(0, 64),
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
        const phones = config.phoneNumbers ?? [];
        const receipts: string[] = [];
        for (const phone of phones) {
          if (reached.get(context.deliveryId)?.has(phone)) continue;
          try {
            const output = await sns.send(
              new module.PublishCommand({
                PhoneNumber: phone,
                Message: sms,
                MessageAttributes: {
                  'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
                },
              }),
              { abortSignal: signal },
            );
            remember(context.deliveryId, phone);
            if (output.MessageId) receipts.push(output.MessageId);
          } catch (error) {
            const result = classifyAwsError(error, signal, redact, now());
            const done = reached.get(context.deliveryId)?.size ?? 0;
            return {
              ...result,
              detail: redact(`${done} of ${phones.length} numbers reached; ${result.detail}`),
            };
          }
        }
        reached.delete(context.deliveryId);
        return {
          outcome: 'delivered',
          status: 200,
          receipt: receipts.length > 0 ? receipts.join(',') : null,
          detail: `SNS accepted the SMS for ${phones.length} number(s)`,
        };
      } catch (error) {
        return classifyAwsError(error, signal, redact, now());
      }
    },
  };
}
