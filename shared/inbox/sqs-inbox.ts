/**
 * The inbox on Amazon SQS (`@aws-sdk/client-sqs`, imported on first use): `put` resolves once
 * SendMessage succeeded (SQS stores the message redundantly before it answers), so the ingress
 * answers 202 only for durable input. On a FIFO queue (`….fifo`) the entry id is the deduplication
 * id, so the same body sent twice within SQS's 5-minute window is queued once. Bodies over the
 * message limit park in the evidence archive (see queue-inbox-message.ts).
 */
import type { SQSClient, SQSClientConfig } from '@aws-sdk/client-sqs';
import type { EvidenceArchive } from '../store/ports.ts';
import { type Inbox, type InboxEntry, InboxUnavailableError } from './inbox.ts';
import { encodeInboxMessage } from './queue-inbox-message.ts';

/** SQS's classic per-message limit; raise it with `maxMessageBytes` where the queue allows 1 MiB. */
export const SQS_MAX_MESSAGE_BYTES = 256 * 1024;

export interface SqsInboxOptions {
  readonly queueUrl: string;
  /** Region, endpoint, credentials…; the SDK's default chain when absent. */
  readonly client?: SQSClientConfig;
  readonly maxMessageBytes?: number;
  readonly overflow?: EvidenceArchive;
}

export function createSqsInbox(options: SqsInboxOptions): Inbox {
  const fifo = options.queueUrl.endsWith('.fifo');
  let sdk: Promise<{ client: SQSClient; module: typeof import('@aws-sdk/client-sqs') }> | undefined;
  const open = async () => {
    const module = await import('@aws-sdk/client-sqs');
    return { client: new module.SQSClient(options.client ?? {}), module };
  };
  return {
    async put(entry: InboxEntry): Promise<void> {
      try {
        sdk ??= open();
        const { client, module } = await sdk;
        const body = await encodeInboxMessage(entry, {
          maxMessageBytes: options.maxMessageBytes ?? SQS_MAX_MESSAGE_BYTES,
          ...(options.overflow ? { overflow: options.overflow } : {}),
        });
        await client.send(
          new module.SendMessageCommand({
            QueueUrl: options.queueUrl,
            MessageBody: body,
            MessageAttributes: { source: { DataType: 'String', StringValue: entry.source } },
            ...(fifo
              ? { MessageGroupId: entry.source, MessageDeduplicationId: entry.id.replace(/^sha256:/, '') }
              : {}),
          }),
        );
      } catch (error) {
        throw new InboxUnavailableError('SQS did not accept the entry', { cause: error });
      }
    },
  };
}
